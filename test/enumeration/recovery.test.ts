// Nobody learns who has an account from password recovery: an unknown account and a known one look and take alike,
// in the POST's own answer and in the page it leads to.
import { csrfOf } from '../helpers/browser.ts';
import { enumerationSuite } from './enumeration.ts';

enumerationSuite('recovery: an unknown account and a known one', async (b, name) => {
  const form = await b.get('/forgot-password');
  const answer = await b.post('/forgot-password', { _csrf: csrfOf(form.body), email: name });
  return [answer, await b.get('/reset-password')];
});
