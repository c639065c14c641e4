import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** What Slack sends to /slack/events, signed as Slack signs it (v0, HMAC-SHA256). */
export class SlackRequests {
  constructor(
    readonly eventsUrl: string,
    private readonly secret = SIGNING_SECRET,
  ) {}

  signature(timestamp: number, body: string, secret = this.secret): string {
    return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  }

  async post(
    body: string,
    contentType: string,
    options: { timestamp?: number; secret?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(this.eventsUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': this.signature(timestamp, body, options.secret),
        ...options.headers,
      },
      body,
    });
  }

  /** A slash command, form-encoded as Slack posts it. */
  command(userId: string, text: string, extra: Record<string, string> = {}, options: Parameters<SlackRequests['post']>[2] = {}): Promise<Response> {
    const fields = {
      token: 'legacy-verification-token',
      team_id: 'T1',
      team_domain: 'pzk',
      channel_id: 'D1',
      channel_name: 'directmessage',
      user_id: userId,
      user_name: userId.toLowerCase(),
      command: '/pzk',
      text,
      api_app_id: 'A1',
      response_url: 'https://hooks.slack.invalid/commands/T1/1/x',
      trigger_id: `${Date.now()}.1.${Math.random().toString(36).slice(2)}`,
      ...extra,
    };
    return this.post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** Interactivity (block_actions, view_submission): form-encoded `payload=<json>`. */
  interaction(payload: object, options: Parameters<SlackRequests['post']>[2] = {}): Promise<Response> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** An Events API callback, JSON. */
  event(eventId: string, event: object, options: Parameters<SlackRequests['post']>[2] = {}): Promise<Response> {
    const body = { token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event };
    return this.post(JSON.stringify(body), 'application/json', options);
  }
}

/** A Block Kit button press as Slack posts it (interactivity payload); `channel` is where the message was. */
export function buttonClick(user: string, actionId: string, value: string, channel: { id: string; name: string } = { id: 'D1', name: 'directmessage' }) {
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 'pzk' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: `${Math.random()}.1.click`,
    container: { type: 'message', message_ts: '1799999999.000200', channel_id: channel.id, is_ephemeral: false },
    channel,
    actions: [{ type: 'button', action_id: actionId, block_id: 'b1', value, text: { type: 'plain_text', text: 'x' }, action_ts: '1799999999.3' }],
  };
}

export type Typed = Record<
  string,
  | { type: 'plain_text_input' | 'number_input'; value: string | null }
  | { type: 'static_select'; selected_option: { value: string } | null }
  | { type: 'checkboxes'; selected_options: { value: string }[] }
>;

/** A modal submission as Slack posts it: every input block of the form with what was typed. */
export function modalSubmission(user: string, formId: string, trigger: string, typed: Typed) {
  const values = Object.fromEntries(Object.entries(typed).map(([block, state]) => [block, { [block]: state }]));
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'pzk' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: trigger,
    view: {
      id: `V-${trigger}`,
      type: 'modal',
      callback_id: formId,
      private_metadata: '',
      hash: 'h',
      team_id: 'T1',
      app_id: 'A1',
      blocks: Object.keys(typed).map((block) => ({ type: 'input', block_id: block })),
      state: { values },
    },
    response_urls: [],
  };
}

/** What a plain-text input of a modal holds (null: left empty). */
export const textInput = (value: string | null) => ({ type: 'plain_text_input' as const, value });
/** What a checkboxes element of a modal holds: the ticked values. */
export const ticked = (...values: string[]) => ({ type: 'checkboxes' as const, selected_options: values.map((value) => ({ value })) });
/** What a select of a modal holds. */
export const selected = (value: string) => ({ type: 'static_select' as const, selected_option: { value } });
