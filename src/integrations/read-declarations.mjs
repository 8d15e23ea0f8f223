// Run by route-manifest.ts in a process of its own, with the built server's
// entry as its argument: prints each page's `publicPage` export as JSON,
// keyed by the page's file. Its own process imports the built pages
// natively (the build's module runner is closed by then) and keeps whatever
// they load out of the build.
import { pathToFileURL } from 'node:url';

const entry = await import(pathToFileURL(process.argv[2]).href);
const declarations = {};
for (const [file, load] of entry.pageMap) {
  const page = await (await load()).page();
  if (page.publicPage !== undefined) declarations[file] = page.publicPage;
}
process.stdout.write(JSON.stringify(declarations));
