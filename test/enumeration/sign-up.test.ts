// Nobody learns who has an account from the sign-up form: a taken email and a free one look and take alike, in the
// POST's own answer and in the page it leads to.
import { csrfOf } from '../helpers/browser.ts';
import { enumerationSuite } from './enumeration.ts';

enumerationSuite('sign-up: a taken email and a free one', async (b, name) => {
  const form = await b.get('/signup');
  const answer = await b.post('/signup', {
    _csrf: csrfOf(form.body),
    email: name,
    name: 'Some One',
    password: 'Sunny-day-42',
  });
  return [answer, await b.get('/confirm')];
});
