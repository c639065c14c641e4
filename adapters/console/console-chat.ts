import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Incoming, Message } from '../../src/ports/channel.port.js';
import { renderText } from './render-text.js';

/**
 * `chat --as <email>`: the bot in a terminal, for trying it without Slack or Teams. Each line
 * is a command, exactly as after `/pzk` in Slack or as a message to the bot in Teams.
 */
export async function runConsoleChat(options: {
  email: string;
  handle: (incoming: Incoming) => Promise<Message>;
  input: Readable;
  output: Writable;
}): Promise<void> {
  const { email, handle, input, output } = options;
  const lines = createInterface({ input, terminal: false });
  output.write(`Kooperator (${email}). Proszę wpisać „pomoc” / type "help"; Ctrl+D kończy / ends.\n> `);
  for await (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') {
      output.write('> ');
      continue;
    }
    const [command = '', ...rest] = trimmed.split(/\s+/);
    const answer = await handle({ type: 'command', from: { channel: 'console', email }, command, text: rest.join(' ') });
    output.write(`\n${renderText(answer)}\n\n> `);
  }
  output.write('\n');
}
