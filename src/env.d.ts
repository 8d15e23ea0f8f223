/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    shirase: import('./lib/app-context').AppContext;
    /** The signed-in staff member on admin pages. */
    user?: import('./lib/auth/sessions').SessionUser;
  }
}
