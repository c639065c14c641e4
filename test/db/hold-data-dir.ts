// A process that holds a data folder's lock until it is killed (test/db/data-dir-lock.test.ts).
import { lockDataDir } from '../../src/db/data-dir-lock.js';

const lock = await lockDataDir(process.argv[2]!, 'serve');
lock.describe('http://127.0.0.1:3999');
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
