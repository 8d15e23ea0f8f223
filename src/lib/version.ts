// The release this code is, as package.json names it (a semantic version; see CHANGELOG.md).
import pkg from '../../package.json';

export const SHIRASE_VERSION: string = pkg.version;
