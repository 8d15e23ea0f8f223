/** The copy-paste snippets for putting the status on another site, with this site's address. */
export function embedSnippets(siteUrl: string): { iframe: string; script: string } {
  return {
    iframe: `<iframe src="${siteUrl}/embed" title="Status" width="320" height="160" style="border:0"></iframe>`,
    script: `<script src="${siteUrl}/embed.js" async></script>`,
  };
}
