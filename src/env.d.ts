/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    shirase: import('./lib/app-context').AppContext;
    /** The reader's language, from the URL prefix or Accept-Language. */
    locale: import('./lib/i18n/messages').Locale;
    /** Prepended to internal links so readers stay in their language: '' or '/ja'. */
    localePrefix: string;
    /** An internal path in the reader's language: link('/history') is '/ja/history' for a Japanese reader who came by /ja/. */
    link: (path: string) => string;
    /** The live-update version a public page is rendered for (see live-events.ts), which the page names for public/live.js. */
    liveVersion?: string;
    /**
     * Set when a private page's public page is rendered for a group of its
     * viewers (the rule that lets them in; empty for strangers, who are shown
     * the sign-in page). Undefined on every other render.
     */
    viewerGroup?: string;
    /** The signed-in staff member on admin pages. */
    user?: import('./lib/auth/sessions').SessionUser;
    /** Set by the middleware when it answers a staff route with the refusal page (see staff-access.ts). */
    staffRefused?: boolean;
  }
}
