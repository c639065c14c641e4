import { createHash } from 'node:crypto';
/**
 * Bounces as the servers PZK's members use write them, built from their documented formats:
 * RFC 3464's own example layout, Postfix's bounce(8) "Undelivered Mail Returned to Sender",
 * Exchange Online's NDR, Gmail's, a delayed Postfix notice, qmail's and Exim's plain text.
 * `to` is the signed reply address the bounce comes back to (VERP).
 */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

export function postfixBounce(to: string, recipient: string, status = '5.1.1', diagnostic = `smtp; 550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`): string {
  return crlf(`Return-Path: <>
Received: by mail.example.org (Postfix) id 4Xyz12
Date: Thu,  3 Dec 2026 10:00:00 +0100 (CET)
From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ${to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Xyz12.1701594000/mail.example.org"
Message-Id: <20261203090000.4Xyz12.${createHash('sha256').update(to + recipient + status).digest('hex').slice(0, 12)}@mail.example.org>

This is a MIME-encapsulated message.

--4Xyz12.1701594000/mail.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<${recipient}>: host mx.example.com[192.0.2.10] said: 550 5.1.1 User unknown

--4Xyz12.1701594000/mail.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org
X-Postfix-Queue-ID: 4Xyz12
X-Postfix-Sender: rfc822; ${to}
Arrival-Date: Thu,  3 Dec 2026 09:59:58 +0100 (CET)

Final-Recipient: rfc822; ${recipient}
Original-Recipient: rfc822;${recipient}
Action: failed
Status: ${status}
Remote-MTA: dns; mx.example.com
Diagnostic-Code: ${diagnostic}

--4Xyz12.1701594000/mail.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: "Kooperator RCPS" <kooperator@example.org>
To: ${recipient}
Subject: Przypomnienie

--4Xyz12.1701594000/mail.example.org--
`);
}

export function postfixDelay(to: string, recipient: string): string {
  return postfixBounce(to, recipient, '4.4.1', 'X-Postfix; connect to mx.example.com[192.0.2.10]:25: Connection timed out')
    .replace('Action: failed', 'Action: delayed')
    .replace('Subject: Undelivered Mail Returned to Sender', 'Subject: Delayed Mail (still being retried)');
}

export function exchangeBounce(to: string, recipient: string): string {
  return crlf(`From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@pzk.onmicrosoft.com>
To: <${to}>
Subject: Niedostarczalne: Zaproszenie: Szkolenie
Date: Thu, 3 Dec 2026 09:00:01 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="_000_ab12cd34_"
MIME-Version: 1.0
Auto-Submitted: auto-replied

--_000_ab12cd34_
Content-Type: multipart/alternative; boundary="_001_ab12cd34_"

--_001_ab12cd34_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

${Buffer.from(`Nie można dostarczyć wiadomości do ${recipient}\r\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\r\n`).toString('base64')}

--_001_ab12cd34_--

--_000_ab12cd34_
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;AM0PR01MB5678.eurprd01.prod.exchangelabs.com
Arrival-Date: Thu, 3 Dec 2026 09:00:00 +0000

Final-Recipient: rfc822;${recipient}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--_000_ab12cd34_
Content-Type: message/rfc822

From: "Kooperator RCPS" <kooperator@example.org>
To: ${recipient}
Subject: Zaproszenie: Szkolenie

--_000_ab12cd34_--
`);
}

export function gmailBounce(to: string, recipient: string): string {
  return crlf(`From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: ${to}
Subject: Delivery Status Notification (Failure)
Auto-Submitted: auto-replied
Content-Type: multipart/report; boundary="000000000000abc"; report-type=delivery-status

--000000000000abc
Content-Type: text/plain; charset="UTF-8"

Address not found. Your message wasn't delivered to ${recipient} because the address couldn't be found.

--000000000000abc
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; kooperator@example.org

Final-Recipient: rfc822; ${recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0::1b)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.

--000000000000abc--
`);
}

export function qmailBounce(to: string, recipient: string): string {
  return crlf(`From: MAILER-DAEMON@mail.example.net
To: ${to}
Subject: failure notice

Hi. This is the qmail-send program at mail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<${recipient}>:
192.0.2.20 does not like recipient.
Remote host said: 550 5.1.1 No such user
Giving up on 192.0.2.20.

--- Below this line is a copy of the message.
`);
}

export function eximBounce(to: string, recipient: string): string {
  return crlf(`From: Mail Delivery System <Mailer-Daemon@mail.example.com>
To: ${to}
Subject: Mail delivery failed: returning message to sender
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  ${recipient}
    SMTP error from remote mail server after RCPT TO:<${recipient}>:
    550 5.1.1 <${recipient}>: Recipient address rejected: User unknown
`);
}

/** An ordinary reply: no bounce at all. */
export function plainReply(to: string): string {
  return crlf(`From: Anna Nowak <anna.nowak@example.org>
To: ${to}
Subject: Re: Przypomnienie

Będę, dziękuję. Numer sali 550 5.1.1 nic tu nie znaczy.
`);
}
