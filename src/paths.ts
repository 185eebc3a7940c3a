// Every URL of the server, defined once.
export const paths = {
  home: '/',
  login: '/login',
  logout: '/logout',
  account: '/account',
  signup: '/signup',
  confirm: '/confirm',
  confirmResend: '/confirm/resend',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  healthz: '/healthz',
  readyz: '/readyz',
  stylesheet: '/assets/app.css',
  favicon: '/favicon.svg',
} as const;
