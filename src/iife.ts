// The script-tag entry (dist/likewise.iife.js). Unlike every other module it
// acts on load: that is what a <script> tag is for. Its one global is
// `window.Likewise` (rollup assigns the default export to it as well).
import { startScriptTag } from './track/startScriptTag';

export default typeof window === 'undefined' ? undefined : startScriptTag(window);
