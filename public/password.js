// Password comfort (progressive enhancement: every form works the same without it): a show/hide button beside each
// password field, and the rules under a new password ticked as they are met while one types.
(function () {
  var fields = document.querySelectorAll('input[type="password"][data-show-label]');
  Array.prototype.forEach.call(fields, function (input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-button password-toggle';
    button.setAttribute('aria-controls', input.id);
    button.setAttribute('aria-pressed', 'false');
    button.textContent = input.getAttribute('data-show-label');
    button.addEventListener('click', function () {
      var shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      button.setAttribute('aria-pressed', shown ? 'true' : 'false');
      button.textContent = input.getAttribute(shown ? 'data-hide-label' : 'data-show-label');
    });
    input.insertAdjacentElement('afterend', button);
  });

  // The characters Cognito counts as symbols (as src/password-policy.ts).
  var SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';
  var holds = {
    minLength: function (value, rule) {
      return Array.from(value).length >= Number(rule.getAttribute('data-min'));
    },
    lowercase: function (value) {
      return Array.from(value).some(function (c) {
        return c !== c.toUpperCase();
      });
    },
    uppercase: function (value) {
      return Array.from(value).some(function (c) {
        return c !== c.toLowerCase();
      });
    },
    number: function (value) {
      return /[0-9]/.test(value);
    },
    symbol: function (value) {
      return Array.from(value).some(function (c) {
        return SYMBOLS.indexOf(c) !== -1;
      });
    },
  };
  var lists = document.querySelectorAll('[data-rules-for]');
  Array.prototype.forEach.call(lists, function (list) {
    var input = document.getElementById(list.getAttribute('data-rules-for'));
    if (!input) return;
    var update = function () {
      Array.prototype.forEach.call(list.querySelectorAll('li[data-rule]'), function (rule) {
        var check = holds[rule.getAttribute('data-rule')];
        if (!check) return;
        var met = check(input.value, rule);
        rule.className = met ? 'rule-met' : input.value === '' ? '' : 'rule-broken';
        var state = rule.querySelector('.visually-hidden');
        if (state)
          state.textContent =
            input.value === '' ? '' : ' ' + state.getAttribute(met ? 'data-met' : 'data-missing');
      });
    };
    input.addEventListener('input', update);
  });
})();
