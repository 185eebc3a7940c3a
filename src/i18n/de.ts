// German (Deutsch): every text of the pages, key for key the same as en.ts.
import { deAccount } from './de-account.ts';
import type { MessageKey } from './en.ts';

export const de: Readonly<Record<MessageKey, string>> = {
  'site.skipToContent': 'Zum Inhalt springen',
  'site.signIn': 'Anmelden',
  'site.signOut': 'Abmelden',
  'site.account': 'Ihr Konto',
  'site.home': 'Startseite',
  'site.poweredBy': 'Gesichert durch Amazon Cognito',
  'site.localMode': 'Lokaler Modus: Die Konten werden im integrierten Cognito-Emulator gespeichert.',
  'site.localInbox': 'Lokalen Posteingang öffnen',
  'site.language': 'Sprache',
  'site.privacy': 'Datenschutz',
  'site.terms': 'Nutzungsbedingungen',
  'site.support': 'Hilfe und Support',
  'site.footerLinks': 'Rechtliches und Support',

  'home.title': 'Willkommen',
  'home.signedOutLead': 'Melden Sie sich an, um Ihr Konto zu sehen.',
  'home.signedInLead': 'Sie sind als {who} angemeldet.',
  'home.goToAccount': 'Zu Ihrem Konto',

  'login.title': 'Anmelden',
  'login.lead': 'Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort bei {brand} an.',
  'login.username': 'E-Mail-Adresse',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.usernameMissing': 'Geben Sie Ihre E-Mail-Adresse ein',
  'login.usernameTooLong': 'Geben Sie eine E-Mail-Adresse mit höchstens 128 Zeichen ein',
  'login.passwordMissing': 'Geben Sie Ihr Passwort ein',
  'login.passwordTooLong': 'Geben Sie ein Passwort mit höchstens 256 Zeichen ein',
  'login.signedOut': 'Sie wurden abgemeldet.',
  'login.sessionEnded': 'Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.',
  'login.signInToContinue': 'Bitte melden Sie sich an, um fortzufahren.',
  'login.unconfirmed':
    'Ihr Konto ist noch nicht bestätigt. Bestätigen Sie es mit dem Code, den wir Ihnen per E-Mail gesendet haben.',
  'login.resetRequired': 'Sie müssen ein neues Passwort festlegen, bevor Sie sich anmelden können.',
  'login.challengeUnsupported':
    'Für Ihr Konto ist ein Anmeldeschritt erforderlich, den diese Seite nicht unterstützt. Bitte wenden Sie sich an den Support.',

  'login.noAccount': 'Noch kein Konto?',
  'login.createAccount': 'Konto erstellen',
  'login.forgotPassword': 'Passwort vergessen?',
  'login.accountConfirmed': 'Ihr Konto ist bestätigt. Melden Sie sich an, um fortzufahren.',
  'login.passwordChanged': 'Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort an.',

  'signup.title': 'Konto erstellen',
  'signup.lead': 'Erstellen Sie Ihr Konto bei {brand}.',
  'signup.email': 'E-Mail-Adresse',
  'signup.password': 'Passwort',
  'signup.submit': 'Konto erstellen',
  'signup.haveAccount': 'Sie haben bereits ein Konto?',
  'signup.emailMissing': 'Geben Sie Ihre E-Mail-Adresse ein',
  'signup.emailInvalid': 'Geben Sie eine E-Mail-Adresse im richtigen Format ein, z. B. name@example.com',
  'signup.fieldMissing': '{field} ist erforderlich',
  'signup.fieldTooLong': '{field} darf höchstens {max} Zeichen lang sein',
  'signup.phoneInvalid': 'Geben Sie eine Telefonnummer im internationalen Format ein, z. B. +493023125123',
  'signup.terms': 'Ich stimme den Nutzungsbedingungen zu',
  'signup.termsLink': 'Nutzungsbedingungen lesen',
  'signup.termsMissing': 'Sie müssen den Nutzungsbedingungen zustimmen, um ein Konto zu erstellen',
  'signup.disabled': 'Das Erstellen neuer Konten ist deaktiviert.',
  'signup.optional': '(optional)',

  'attribute.name': 'Vollständiger Name',
  'attribute.given_name': 'Vorname',
  'attribute.family_name': 'Nachname',
  'attribute.middle_name': 'Zweiter Vorname',
  'attribute.nickname': 'Spitzname',
  'attribute.preferred_username': 'Bevorzugter Benutzername',
  'attribute.phone_number': 'Telefonnummer',
  'attribute.birthdate': 'Geburtsdatum',
  'attribute.gender': 'Geschlecht',
  'attribute.locale': 'Sprache',
  'attribute.zoneinfo': 'Zeitzone',
  'attribute.website': 'Website',
  'attribute.address': 'Adresse',
  'attribute.profile': 'Profilseite',
  'attribute.picture': 'Bild-URL',

  'password.hint': 'Ihr Passwort braucht:',
  'password.rule.minLength': 'mindestens {min} Zeichen',
  'password.rule.lowercase': 'einen Kleinbuchstaben',
  'password.rule.uppercase': 'einen Großbuchstaben',
  'password.rule.number': 'eine Ziffer',
  'password.rule.symbol': 'ein Sonderzeichen, z. B. ! ? @ # oder %',
  'password.missing': 'Geben Sie ein Passwort ein',
  'password.tooLong': 'Geben Sie ein Passwort mit höchstens 256 Zeichen ein',
  'password.breaks': 'Ihr Passwort braucht {rule}',

  'confirm.title': 'Prüfen Sie Ihre E-Mails',
  'confirm.lead':
    'Wir haben einen Code an {destination} gesendet. Geben Sie ihn unten ein, um Ihr Konto zu bestätigen.',
  'confirm.leadUnknown':
    'Geben Sie den Code ein, den wir Ihnen per E-Mail gesendet haben, um Ihr Konto zu bestätigen.',
  'confirm.email': 'E-Mail-Adresse',
  'confirm.code': 'Bestätigungscode',
  'confirm.codeHint':
    'Der Code besteht aus 6 Ziffern. Es kann eine Minute dauern, bis er ankommt. Sehen Sie bitte auch in Ihrem Spam-Ordner nach.',
  'confirm.submit': 'Konto bestätigen',
  'confirm.resend': 'Neuen Code senden',
  'confirm.resendWait': 'Sie können in {seconds} Sekunden einen neuen Code anfordern.',
  'confirm.resent':
    'Wir haben einen neuen Code an {destination} gesendet. Zuvor gesendete Codes sind nicht mehr gültig.',
  'confirm.tooSoon': 'Bitte warten Sie {seconds} Sekunden, bevor Sie einen weiteren Code anfordern.',
  'confirm.unconfirmedSent':
    'Ihr Konto ist noch nicht bestätigt. Wir haben einen neuen Code an {destination} gesendet.',
  'code.missing': 'Geben Sie den Code ein',
  'code.invalid': 'Geben Sie den 6-stelligen Code ein',
  'confirm.emailMissing': 'Geben Sie die E-Mail-Adresse ein, mit der Sie sich registriert haben',

  'forgot.title': 'Passwort zurücksetzen',
  'forgot.lead':
    'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen dann einen Code, mit dem Sie Ihr Passwort zurücksetzen können.',
  'forgot.email': 'E-Mail-Adresse',
  'forgot.submit': 'Code senden',
  'forgot.backToSignIn': 'Zurück zur Anmeldung',

  'reset.title': 'Neues Passwort festlegen',
  'reset.lead':
    'Falls für {destination} ein Konto existiert, haben wir einen Code dorthin gesendet. Geben Sie den Code und Ihr neues Passwort ein.',
  'reset.leadRequired':
    'Sie müssen ein neues Passwort festlegen. Wir haben einen Code an {destination} gesendet.',
  'reset.code': 'Code zum Zurücksetzen',
  'reset.newPassword': 'Neues Passwort',
  'reset.submit': 'Passwort ändern',
  'reset.newCode': 'Neuen Code senden',
  'reset.noPending': 'Fordern Sie zuerst einen Code zum Zurücksetzen an.',

  'login.challengeExpired':
    'Das hat zu lange gedauert und die Anmeldung ist abgelaufen. Geben Sie Ihr Passwort erneut ein.',
  'login.tooManyCodes': 'Zu viele falsche Codes. Bitte melden Sie sich aus Sicherheitsgründen erneut an.',
  'login.continue': 'Weiter',
  'login.leadEmailFirst': 'Bei {brand} anmelden: Geben Sie Ihre E-Mail-Adresse ein und wählen Sie dann, wie.',
  'login.passkeyFailed':
    'Mit diesem Passkey konnten Sie nicht angemeldet werden. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
  'choose.title': 'Wie möchten Sie sich anmelden?',
  'choose.lead': 'Anmeldung als {username}.',
  'choose.password': 'Passwort',
  'choose.passwordSubmit': 'Mit Passwort anmelden',
  'choose.emailCode': 'Code per E-Mail senden',
  'choose.smsCode': 'Code per SMS senden',
  'choose.passkey': 'Mit Passkey anmelden',
  'choose.otherWays': 'Oder ohne Passwort anmelden',
  'choose.notYou': 'Nicht Sie? Andere E-Mail-Adresse verwenden',
  'choose.unavailable': 'Diese Art der Anmeldung ist hier nicht verfügbar. Wählen Sie eine andere.',
  'choose.mfaNote':
    'Codes per E-Mail oder SMS gibt es nicht für Konten mit aktiver Bestätigung in zwei Schritten: Diese melden sich mit dem Passwort an, danach mit dem Code.',
  'passkey.title': 'Mit Passkey anmelden',
  'passkey.lead':
    'Verwenden Sie den Passkey auf diesem Gerät, auf Ihrem Telefon oder auf einem Sicherheitsschlüssel.',
  'passkey.button': 'Meinen Passkey verwenden',
  'passkey.noScript':
    'Passkeys brauchen JavaScript, das in diesem Browser ausgeschaltet ist. Wählen Sie einen anderen Weg zur Anmeldung.',
  'passkey.unsupported':
    'Dieser Browser kann keine Passkeys verwenden. Wählen Sie einen anderen Weg zur Anmeldung.',
  'passkey.cancelled':
    'Es wurde kein Passkey verwendet. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
  'passkey.otherWay': 'Anderen Weg wählen',
  'signup.passwordOptional':
    'Optional: Lassen Sie das Feld leer, um sich stattdessen mit einem Code oder Passkey anzumelden.',

  'challenge.expiresIn': 'Aus Sicherheitsgründen läuft dieser Schritt in {minutes} Min. {seconds} Sek. ab.',
  'challenge.startAgain': 'Neu beginnen',

  'mfa.title': 'Code eingeben',
  'mfa.leadTotp':
    'Öffnen Sie Ihre Authentifizierungs-App und geben Sie den 6-stelligen Code ein, den sie für {brand} anzeigt.',
  'mfa.leadSms': 'Wir haben einen Code per SMS an {destination} gesendet.',
  'mfa.leadEmail': 'Wir haben einen Code per E-Mail an {destination} gesendet.',
  'mfa.code': 'Sicherheitscode',
  'mfa.submit': 'Weiter',
  'mfa.codeWrong': 'Der Code ist falsch. Verbleibende Versuche: {left}.',
  'mfa.setupCodeWrong':
    'Der Code ist falsch. Prüfen Sie, ob die Uhrzeit auf Ihrem Gerät automatisch eingestellt wird. Verbleibende Versuche: {left}.',
  'mfa.noCode': 'Kein Code?',
  'mfa.startAgain': 'Neu beginnen, um einen neuen zu erhalten',
  'mfa.otherMethod': 'Andere Methode verwenden',
  'mfa.otherMethodHint':
    'Sie haben mehr als eine Bestätigungsmethode eingerichtet: Melden Sie sich erneut an, um eine andere zu wählen.',

  'mfaSelect.title': 'Bestätigungsmethode wählen',
  'mfaSelect.lead':
    'Für Ihr Konto gibt es mehr als eine Möglichkeit, Ihre Identität zu bestätigen. Welche möchten Sie verwenden?',
  'mfaSelect.legend': 'Bestätigungsmethode',
  'mfaSelect.submit': 'Weiter',
  'mfaSelect.missing': 'Wählen Sie eine Bestätigungsmethode',
  'mfa.method.SOFTWARE_TOKEN_MFA': 'Authentifizierungs-App',
  'mfa.method.SMS_MFA': 'SMS',
  'mfa.method.EMAIL_OTP': 'E-Mail',

  'mfaSetup.title': 'Bestätigung in zwei Schritten einrichten',
  'mfaSetup.lead':
    'Für Ihr Konto ist bei der Anmeldung ein zweiter Schritt erforderlich. Richten Sie jetzt eine Authentifizierungs-App ein.',
  'mfaSetup.step1':
    'Scannen Sie diesen QR-Code mit einer Authentifizierungs-App (z. B. Google Authenticator, Microsoft Authenticator oder 1Password).',
  'mfaSetup.qrAlt': 'QR-Code zum Einrichten Ihrer Authentifizierungs-App',
  'mfaSetup.manual': 'Scannen nicht möglich? Geben Sie stattdessen diesen Schlüssel in der App ein:',
  'mfaSetup.step2': 'Geben Sie den 6-stelligen Code ein, den die App anzeigt.',
  'mfaSetup.submit': 'Bestätigung in zwei Schritten aktivieren',
  'mfaSetup.emailInstead': 'Stattdessen Codes per E-Mail verwenden',
  'mfaSetup.emailLead': 'Oder erhalten Sie bei jeder Anmeldung einen Code per E-Mail.',
  'mfaSetup.email': 'E-Mail-Adresse für Codes',
  'mfaSetup.emailSubmit': 'Codes per E-Mail verwenden',
  'mfaSetup.unavailable':
    'Die Bestätigung in zwei Schritten kann hier nicht eingerichtet werden. Bitte wenden Sie sich an den Support.',

  'newPassword.title': 'Neues Passwort festlegen',
  'newPassword.lead':
    'Sie haben sich mit einem temporären Passwort angemeldet. Legen Sie ein eigenes Passwort fest, um fortzufahren.',
  'newPassword.password': 'Neues Passwort',
  'newPassword.submit': 'Speichern und weiter',

  'mfa.remember': 'Diesem Browser {period} lang vertrauen',
  'time.oneDay': '1 Tag',
  'time.days': '{days} Tage',
  'mfa.rememberHint':
    'Hier melden Sie sich weiter mit Ihrem Passwort an, aber ohne Code. Nicht auf einem gemeinsam genutzten oder öffentlichen Computer.',
  'reset.devicesHint':
    'Browser, denen Sie vertrauen, bleiben es auch nach dem Zurücksetzen: Dort wird nach dem neuen Passwort gefragt, aber nicht nach einem Code. Sie können sie auf Ihrer Kontoseite entfernen.',

  'login.or': 'oder',
  'login.continueWith': 'Weiter mit {provider}',
  'hosted.errorTitle': 'Die Anmeldung konnte nicht abgeschlossen werden',
  'hosted.errorLead':
    'Bei der Rückkehr von der Anmeldeseite ist ein Fehler aufgetreten. Es wurde nichts geändert. Bitte versuchen Sie es erneut.',
  'hosted.cancelledTitle': 'Anmeldung abgebrochen',
  'hosted.cancelledLead': 'Sie haben die Anmeldung abgebrochen. Sie können es jederzeit erneut versuchen.',
  'hosted.tryAgain': 'Erneut anmelden',
  'signedOut.title': 'Sie wurden abgemeldet',
  'signedOut.lead': 'Sie sind auf diesem Gerät von {brand} abgemeldet.',

  'logout.title': 'Abmelden',
  'logout.lead': 'Möchten Sie sich von {brand} abmelden?',
  'logout.submit': 'Abmelden',
  'logout.cancel': 'Angemeldet bleiben',

  'login.signedOutEverywhere': 'Sie wurden auf allen Geräten abgemeldet.',
  'login.accountDeleted': 'Ihr Konto wurde gelöscht. Danke, dass Sie bei uns waren.',

  'form.errorSummaryTitle': 'Es gibt ein Problem',
  'form.showPassword': 'Passwort anzeigen',
  'form.hidePassword': 'Passwort verbergen',
  'password.ruleMet': '(erfüllt)',
  'password.ruleMissing': '(fehlt noch)',

  'errors.INVALID_CREDENTIALS': 'E-Mail-Adresse oder Passwort ist falsch.',
  'errors.ACCOUNT_LOCKED':
    'Zu viele fehlgeschlagene Versuche. Ihr Konto ist vorübergehend gesperrt. Bitte versuchen Sie es später erneut.',
  'errors.ACCOUNT_DISABLED': 'Dieses Konto wurde deaktiviert. Bitte wenden Sie sich an den Support.',
  'errors.SESSION_EXPIRED':
    'Das hat zu lange gedauert und die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.',
  'errors.TOKEN_REVOKED': 'Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.',
  'errors.MISCONFIGURED':
    'Die Anmeldung ist wegen eines Konfigurationsproblems derzeit nicht verfügbar. Bitte versuchen Sie es später erneut.',
  'errors.USER_NOT_CONFIRMED': 'Ihr Konto ist noch nicht bestätigt.',
  'errors.PASSWORD_RESET_REQUIRED': 'Sie müssen Ihr Passwort zurücksetzen, bevor Sie sich anmelden können.',
  'errors.USERNAME_EXISTS': 'Es gibt bereits ein Konto mit dieser E-Mail-Adresse.',
  'errors.ALIAS_EXISTS': 'Diese E-Mail-Adresse wird bereits von einem anderen Konto verwendet.',
  'errors.INVALID_PASSWORD': 'Dieses Passwort erfüllt die Anforderungen nicht.',
  'errors.PASSWORD_REUSED':
    'Sie können kein kürzlich verwendetes Passwort erneut verwenden. Wählen Sie ein anderes.',
  'errors.CODE_MISMATCH': 'Der Code ist falsch. Prüfen Sie ihn und versuchen Sie es erneut.',
  'errors.CODE_EXPIRED': 'Der Code ist abgelaufen. Fordern Sie einen neuen an.',
  'code.refused':
    'Der Code ist falsch oder wurde bereits verwendet. Prüfen Sie ihn und versuchen Sie es erneut, oder fordern Sie einen neuen an.',
  'errors.TOO_MANY_ATTEMPTS':
    'Zu viele Versuche. Bitte warten Sie eine Weile und versuchen Sie es dann erneut.',
  'errors.THROTTLED': 'Wir sind gerade stark ausgelastet. Bitte versuchen Sie es gleich noch einmal.',
  'errors.CODE_DELIVERY_FAILED': 'Wir konnten den Code nicht senden. Bitte versuchen Sie es erneut.',
  'errors.INVALID_PARAMETER':
    'Einige der eingegebenen Angaben sind ungültig. Prüfen Sie sie und versuchen Sie es erneut.',
  'errors.LAMBDA_VALIDATION': 'Ihre Anfrage wurde abgelehnt.',
  'errors.MFA_SETUP_CODE_MISMATCH':
    'Der Code ist falsch. Prüfen Sie, ob die Uhrzeit auf Ihrem Gerät richtig eingestellt ist.',
  'errors.SERVICE_UNAVAILABLE':
    'Die Anmeldung ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.',
  'errors.UNEXPECTED_RESPONSE':
    'Bei der Anmeldung ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.',
  'errors.OAUTH_REFUSED': 'Die Anmeldung konnte nicht abgeschlossen werden. Bitte versuchen Sie es erneut.',
  'errors.PASSKEY_REFUSED':
    'Der Passkey konnte nicht verwendet werden. Bitte versuchen Sie es auf dieser Seite erneut.',
  'mfa.leadSmsAccount':
    'Wir haben einen Code per SMS an die Telefonnummer des Kontos gesendet, falls es eine hat.',
  'mfa.leadEmailAccount':
    'Wir haben einen Code per E-Mail an {destination} gesendet, falls die Adresse zu einem Konto gehört, das sich mit einem Code anmelden kann.',
  'login.firstFactorExpired':
    'Das hat zu lange gedauert, die Anmeldung ist abgelaufen. Bitte beginnen Sie erneut.',

  'error.404.title': 'Seite nicht gefunden',
  'error.404.lead':
    'Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder gehen Sie zur Startseite.',
  'error.400.title': 'Mit dieser Anfrage stimmt etwas nicht',
  'error.400.lead': 'Das Formular konnte nicht gelesen werden. Gehen Sie zurück und versuchen Sie es erneut.',
  'error.403.title': 'Dieses Formular ist abgelaufen',
  'error.403.lead':
    'Aus Sicherheitsgründen konnte das Formular nicht gesendet werden. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.405.title': 'Nicht zulässig',
  'error.405.lead': 'Diese Adresse akzeptiert diese Art von Anfrage nicht.',
  'error.413.title': 'Zu viele Daten',
  'error.413.lead':
    'Das Formular hat mehr Daten gesendet, als wir annehmen. Gehen Sie zurück und kürzen Sie Ihre Eingaben.',
  'error.414.title': 'Adresse zu lang',
  'error.414.lead': 'Die Adresse dieser Seite ist zu lang.',
  'error.415.title': 'Formular nicht unterstützt',
  'error.415.lead':
    'Das Formular wurde in einem Format gesendet, das wir nicht annehmen. Gehen Sie zurück und verwenden Sie das Formular auf der Seite.',
  'error.429.title': 'Zu viele Anfragen',
  'error.429.lead': 'Bitte warten Sie einen Moment und versuchen Sie es erneut.',
  'error.500.title': 'Es ist ein Fehler aufgetreten',
  'error.500.lead': 'Leider ist bei uns ein Fehler aufgetreten. Bitte versuchen Sie es erneut.',
  'error.502.title': 'Die Anwendung ist nicht erreichbar',
  'error.502.lead':
    'Sie sind angemeldet, aber die Anwendung hinter dieser Seite hat nicht geantwortet. Bitte versuchen Sie es gleich noch einmal.',
  'error.504.title': 'Die Anwendung braucht zu lange',
  'error.504.lead':
    'Sie sind angemeldet, aber die Anwendung hinter dieser Seite hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es noch einmal.',
  'forbidden.title': 'Kein Zugriff',
  'forbidden.lead': 'Sie sind als {who} angemeldet, aber dieses Konto darf diese Seite nicht öffnen.',
  'forbidden.help':
    'Wenn Sie Zugriff brauchen, wenden Sie sich an die Betreiber dieses Dienstes. Oder melden Sie sich mit einem anderen Konto an.',
  'forbidden.switch': 'Abmelden und anderes Konto verwenden',
  'forbidden.account': 'Ihr Konto',
  'error.503.title': 'Vorübergehend nicht verfügbar',
  'error.503.lead':
    'Die Anmeldung ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.',
  'error.backHome': 'Zur Startseite',
  'error.tryAgain': 'Erneut versuchen',
  ...deAccount,
};
