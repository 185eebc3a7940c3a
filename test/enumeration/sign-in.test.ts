// Nobody learns who has an account from the sign-in form: an unknown user and a wrong password look and take alike.
import { csrfOf } from '../helpers/browser.ts';
import { enumerationSuite } from './enumeration.ts';

enumerationSuite('sign-in: unknown user and wrong password', async (b, name) => {
  const form = await b.get('/login');
  return b.post('/login', { _csrf: csrfOf(form.body), username: name, password: 'Wrong-password-1' });
});
