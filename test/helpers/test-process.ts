// Loaded into every test process before its tests (package.json's test scripts, `--import`): the emulator hashes
// passwords at scrypt's lowest cost (1024 instead of 16384), since the suite signs in and signs up thousands of
// times and the emulator's password check was most of its CPU time. Hashes carry their cost, so nothing else
// changes; test/local-cognito/password.test.ts checks the default cost and hashes stored without one.
import { setPasswordHashCost } from '../../src/local-cognito/password.ts';

setPasswordHashCost(1024);
