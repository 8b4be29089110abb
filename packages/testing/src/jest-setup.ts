import { closeAll } from './cleanup';

// Every server and client a test opened is closed after it, pass or fail.
afterEach(closeAll);
