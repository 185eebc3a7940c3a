// Passkeys in the browser (progressive enhancement: without JavaScript or WebAuthn the page says so, and the other
// ways in remain). The WebAuthn calls are @simplewebauthn/browser's (served from our origin as webauthn.js); this
// file only reads the options the page carries and posts the browser's answer back as JSON.
(function () {
  var form = document.querySelector('form[data-passkey]');
  if (!form) return;
  var unsupported = document.querySelector('[data-passkey-unsupported]');
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) {
    if (unsupported) unsupported.hidden = false;
    return;
  }
  var optionsJSON = JSON.parse(document.getElementById('passkey-options').textContent);
  form.hidden = false; // the form, not the button: .button's display wins over [hidden]
  var busy = false;
  form.addEventListener('submit', function (event) {
    if (form.elements.credential.value !== '') return; // the answer is in: let it go
    event.preventDefault();
    if (busy) return;
    busy = true;
    var ceremony =
      form.getAttribute('data-passkey') === 'create'
        ? lib.startRegistration({ optionsJSON: optionsJSON })
        : lib.startAuthentication({ optionsJSON: optionsJSON });
    ceremony.then(
      function (answer) {
        form.elements.credential.value = JSON.stringify(answer);
        form.submit();
      },
      function () {
        // Cancelled or refused: an empty answer, which the server turns into a clear message.
        form.elements.credential.value = '{}';
        form.submit();
      },
    );
  });
})();
