// German: the texts of the signed-in user's own pages, key for key the same as en-account.ts.
import type { enAccount } from './en-account.ts';

export const deAccount: Readonly<Record<keyof typeof enAccount, string>> = {
  'accountMfa.title': 'Bestätigung in zwei Schritten',
  'accountMfa.lead':
    'Ein zweiter Schritt bei der Anmeldung schützt Ihr Konto, selbst wenn Ihr Passwort gestohlen wird.',
  'accountMfa.verifyLead':
    'Geben Sie aus Sicherheitsgründen Ihr Passwort erneut ein, bevor Sie diese Einstellungen ändern.',
  'accountMfa.password': 'Passwort',
  'accountMfa.verifySubmit': 'Weiter',
  'accountMfa.method': 'Methode',
  'accountMfa.status': 'Status',
  'accountMfa.on': 'Aktiviert',
  'accountMfa.off': 'Deaktiviert',
  'accountMfa.preferred': 'Bevorzugt',
  'accountMfa.makePreferred': 'Als bevorzugt festlegen',
  'accountMfa.turnOn': 'Aktivieren',
  'accountMfa.turnOff': 'Deaktivieren',
  'accountMfa.setUpTotp': 'Einrichten',
  'accountMfa.needsPhone': 'Erfordert eine Telefonnummer in Ihrem Konto.',
  'accountMfa.addPhone': 'Telefonnummer hinzufügen',
  'accountMfa.changed': 'Ihre Einstellungen für die Bestätigung in zwei Schritten wurden gespeichert.',
  'accountMfa.totpTitle': 'Authentifizierungs-App einrichten',
  'accountMfa.totpSubmit': 'Bestätigen und aktivieren',
  'accountMfa.back': 'Zurück zur Bestätigung in zwei Schritten',
  'accountMfa.secondStep': 'Jetzt der zweite Schritt, wie bei der Anmeldung.',
  'accountMfa.restart': 'Neu beginnen',
  'accountMfa.needsAny':
    'Bestätigen Sie dafür, dass Sie es sind: erst Ihr Passwort, dann der Code Ihres zweiten Schritts.',
  'accountMfa.needs.SOFTWARE_TOKEN_MFA':
    'Bestätigen Sie dafür, dass Sie es sind: mit Ihrem Passwort und einem Code aus Ihrer Authentifizierungs-App.',
  'accountMfa.needs.SMS_MFA':
    'Bestätigen Sie dafür, dass Sie es sind: mit Ihrem Passwort und einem Code, den wir Ihnen per SMS senden.',
  'accountMfa.needs.EMAIL_OTP':
    'Bestätigen Sie dafür, dass Sie es sind: mit Ihrem Passwort und einem Code, den wir Ihnen per E-Mail senden.',
  'account.mfaLink': 'Bestätigung in zwei Schritten',
  'account.passkeysLink': 'Passkeys',
  'accountPasskeys.title': 'Passkeys',
  'accountPasskeys.lead':
    'Mit einem Passkey melden Sie sich per Fingerabdruck, Gesicht oder Bildschirmsperre an, statt mit einem Passwort. Er bleibt auf Ihrem Gerät oder in Ihrem Passwort-Manager; wir speichern nur seinen öffentlichen Teil.',
  'accountPasskeys.offerTitle': 'Beim nächsten Mal schneller anmelden',
  'accountPasskeys.offerLead':
    'Fügen Sie einen Passkey hinzu und melden Sie sich per Fingerabdruck, Gesicht oder Bildschirmsperre an, statt mit Passwort oder Code.',
  'accountPasskeys.notNow': 'Jetzt nicht',
  'accountPasskeys.add': 'Passkey hinzufügen',
  'accountPasskeys.none': 'Sie haben noch keine Passkeys.',
  'accountPasskeys.created': 'hinzugefügt',
  'accountPasskeys.onDevice': 'In ein Gerät eingebaut (Fingerabdruck, Gesicht oder Bildschirmsperre)',
  'accountPasskeys.elsewhere': 'Auf einem Sicherheitsschlüssel oder einem anderen Gerät',
  'accountPasskeys.remove': 'Entfernen',
  'accountPasskeys.removeNamed': '{name} entfernen',
  'accountPasskeys.passwordToRemove': 'Ihr Passwort',
  'accountPasskeys.added':
    'Ihr Passkey wurde hinzugefügt. Wählen Sie beim nächsten Mal „Mit Passkey anmelden“.',
  'accountPasskeys.removed': 'Der Passkey wurde entfernt.',
  'accountPasskeys.listFailed':
    'Ihre Passkeys können gerade nicht angezeigt werden. Bitte versuchen Sie es später erneut.',
  'accountPasskeys.cancelled':
    'Es wurde kein Passkey erstellt. Versuchen Sie es erneut, wenn Sie bereit sind.',
  'accountPasskeys.notAdded': 'Der Passkey konnte nicht hinzugefügt werden. Bitte versuchen Sie es erneut.',
  'accountPasskeys.unknown':
    'Dieser Passkey ist (nicht mehr) bekannt. Laden Sie die Seite neu und versuchen Sie es erneut.',
  'accountPasskeys.createTitle': 'Passkey erstellen',
  'accountPasskeys.createLead':
    'Ihr Browser bittet Sie, mit Fingerabdruck, Gesicht, Bildschirmsperre oder Sicherheitsschlüssel zu bestätigen.',
  'accountPasskeys.createButton': 'Passkey erstellen',
  'accountPasskeys.noScript':
    'Zum Erstellen eines Passkeys braucht es JavaScript, das in diesem Browser ausgeschaltet ist.',
  'accountPasskeys.unsupported': 'Dieser Browser kann keine Passkeys erstellen.',
  'account.devicesLink': 'Ihre Geräte',
  'accountDevices.title': 'Ihre Geräte',
  'accountDevices.lead':
    'Die Browser, in denen Sie sich angemeldet haben. In einem Browser, dem Sie vertrauen, wird {period} lang kein Code abgefragt; wenn Sie Ihr Passwort oder Ihre Bestätigung in zwei Schritten ändern, endet das Vertrauen. Entfernen Sie jeden Browser, den Sie nicht mehr nutzen oder nicht kennen.',
  'accountDevices.unnamed': 'Unbekannter Browser',
  'accountDevices.thisBrowser': 'Dieser Browser',
  'accountDevices.trusted': 'Vertraut: kein Code nötig',
  'accountDevices.notTrusted': 'Nicht als vertraut gespeichert: Code wird abgefragt',
  'accountDevices.lastUsed': 'zuletzt genutzt',
  'accountDevices.forget': 'Entfernen',
  'accountDevices.forgetNamed': '{name} entfernen',
  'accountDevices.forgetAll': 'Alle Geräte entfernen',
  'accountDevices.none': 'Für Ihr Konto ist noch kein Browser bekannt.',
  'accountDevices.forgotten':
    'Der Browser wurde entfernt: Bei der Anmeldung dort wird wieder ein Code abgefragt.',
  'accountDevices.forgottenAll':
    'Alle Ihre Geräte wurden entfernt: Jede Anmeldung fragt wieder nach einem Code.',
  'accountDevices.listFailed':
    'Ihre Geräte können gerade nicht angezeigt werden. Bitte versuchen Sie es später erneut.',
  'accountDevices.unknown':
    'Dieses Gerät ist (nicht mehr) bekannt. Laden Sie die Seite neu und versuchen Sie es erneut.',
  'accountSignOut.devicesHint':
    'Browser, denen Sie vertrauen, bleiben vertraut: Dort wird nach Ihrem Passwort gefragt, aber nicht nach einem Code. Um das zu beenden, entfernen Sie sie:',
  'account.title': 'Ihr Konto',
  'account.lead': 'Sie sind angemeldet.',
  'account.email': 'E-Mail-Adresse',
  'account.name': 'Name',
  'account.username': 'Benutzer-ID',
  'account.groups': 'Gruppen',
  'account.noGroups': 'Keine',
  'account.signedInAt': 'Angemeldet seit',
  'account.profileLink': 'Ihre Angaben ändern',
  'accountProfile.title': 'Ihre Angaben',
  'accountProfile.lead':
    'Ändern Sie Ihre E-Mail-Adresse, Telefonnummer oder Ihren Namen. Eine neue E-Mail-Adresse oder Telefonnummer bestätigen Sie mit einem Code.',
  'accountProfile.phoneHint': 'Im internationalen Format, etwa +4915112345678. Nötig für Codes per SMS.',
  'accountProfile.unverified': 'Noch nicht bestätigt.',
  'accountProfile.verifyNow': 'Jetzt bestätigen',
  'accountProfile.submit': 'Speichern',
  'accountProfile.saved': 'Ihre Angaben wurden gespeichert.',
  'accountProfile.emailVerified': 'Ihre E-Mail-Adresse wurde bestätigt.',
  'accountProfile.phoneVerified': 'Ihre Telefonnummer wurde bestätigt.',
  'accountVerify.titleEmail': 'E-Mail-Adresse bestätigen',
  'accountVerify.titlePhone': 'Telefonnummer bestätigen',
  'accountVerify.leadSent': 'Wir haben einen Code an {destination} gesendet. Geben Sie ihn unten ein.',
  'accountVerify.leadAsk': 'Fordern Sie einen Code an und geben Sie ihn unten ein.',
  'accountVerify.code': 'Bestätigungscode',
  'accountVerify.submit': 'Bestätigen',
  'accountVerify.send': 'Code senden',
  'accountVerify.later': 'Später bestätigen',
  'accountVerify.leadAfterSignIn':
    'Ihre E-Mail-Adresse ist noch nicht bestätigt. Bestätigen Sie sie jetzt, damit Sie Ihr Passwort zurücksetzen können, falls Sie es einmal vergessen.',
  'accountVerify.skip': 'Jetzt überspringen',
  'account.securityTitle': 'Sicherheit',
  'account.passwordLink': 'Passwort ändern',
  'account.signOutEverywhereLink': 'Überall abmelden',
  'account.deleteLink': 'Konto löschen',
  'account.confirmed': 'Ihr Konto ist bestätigt, und Sie sind angemeldet. Willkommen!',
  'account.passwordChanged': 'Ihr Passwort wurde geändert.',
  'account.passwordChangedOthers':
    'Ihr Passwort wurde geändert, und Sie wurden auf Ihren anderen Geräten abgemeldet.',
  'accountPassword.title': 'Passwort ändern',
  'accountPassword.lead':
    'Geben Sie Ihr aktuelles Passwort ein, dann das neue. Hier bleiben Sie angemeldet; auf Ihren anderen Geräten werden Sie abgemeldet.',
  'accountPassword.current': 'Aktuelles Passwort',
  'accountPassword.new': 'Neues Passwort',
  'accountPassword.submit': 'Passwort ändern',
  'accountPassword.currentWrong': 'Ihr aktuelles Passwort stimmt nicht.',
  'account.back': 'Zurück zu Ihrem Konto',
  'accountSignOut.title': 'Überall abmelden',
  'accountSignOut.lead':
    'Damit melden Sie sich auf allen Geräten und in allen Browsern von {brand} ab, auch hier, und beenden die Anmeldungen aller Apps, die Ihr Konto nutzen.',
  'accountSignOut.submit': 'Überall abmelden',
  'accountDelete.title': 'Konto löschen',
  'accountDelete.lead':
    'Damit löschen Sie Ihr Konto bei {brand} endgültig: Sie werden überall abgemeldet und können sich damit nicht mehr anmelden. Das lässt sich nicht rückgängig machen.',
  'accountDelete.confirmLead': 'Geben Sie zur Bestätigung Ihr Passwort ein und tippen Sie unten {name}.',
  'accountDelete.password': 'Passwort',
  'accountDelete.confirm': 'Ihre E-Mail-Adresse, ausgeschrieben',
  'accountDelete.submit': 'Mein Konto löschen',
  'accountDelete.confirmMissing': 'Tippen Sie zur Bestätigung Ihre E-Mail-Adresse.',
  'accountDelete.confirmWrong': 'Das ist nicht die oben gezeigte Adresse.',
  'accountPasskeys.confirmTitle': 'Bestätigen Sie, dass Sie es sind',
  'accountPasskeys.confirmLead':
    'Um einen Passkey hinzuzufügen oder zu entfernen, geben Sie Ihr Passwort erneut ein (Ihre Anmeldung liegt mehr als ein paar Minuten zurück).',
  'accountPasskeys.confirmSubmit': 'Bestätigen',
  'accountPasskeys.noPassword':
    'Kein Passwort? Melden Sie sich ab und mit einem Code oder Passkey wieder an, dann kommen Sie hierher zurück.',
};
