/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    shirase: import('./lib/app-context').AppContext;
  }
}
