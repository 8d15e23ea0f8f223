import { SaxesParser } from 'saxes';

const SVG = 'http://www.w3.org/2000/svg';
const XLINK = 'http://www.w3.org/1999/xlink';
const XML = 'http://www.w3.org/XML/1998/namespace';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/**
 * Namespaces that drawing programs write their own bookkeeping in (Inkscape,
 * Sodipodi, Illustrator, RDF metadata). Browsers treat elements and attributes
 * in them as inert data; XHTML and MathML, which browsers do run, are not here.
 */
const EDITOR_NAMESPACES = new Set([
  'http://www.inkscape.org/namespaces/inkscape',
  'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  'http://purl.org/dc/elements/1.1/',
  'http://creativecommons.org/ns#',
  'http://ns.adobe.com/AdobeIllustrator/10.0/',
  'http://ns.adobe.com/Extensibility/1.0/',
  'http://ns.adobe.com/Graphs/1.0/',
  'http://ns.adobe.com/SaveForWeb/1.0/',
  'http://ns.adobe.com/Variables/1.0/',
  'http://ns.adobe.com/ImageReplacement/1.0/',
  'http://ns.adobe.com/GenericCustomNamespace/1.0/',
  'http://ns.adobe.com/XPath/1.0/',
]);

/** SVG elements that draw, group or describe, and nothing that runs, animates, loads or embeds. */
const ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'metadata',
  'style',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feConvolveMatrix',
  'feDiffuseLighting',
  'feDisplacementMap',
  'feDistantLight',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'fePointLight',
  'feSpecularLighting',
  'feSpotLight',
  'feTile',
  'feTurbulence',
]);

/** Geometry and presentation attributes (no event handlers, no `href` but the checked ones below). */
const ATTRIBUTES = new Set([
  'id',
  'class',
  'style',
  'version',
  'baseProfile',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'fr',
  'd',
  'points',
  'pathLength',
  'transform',
  'viewBox',
  'preserveAspectRatio',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-opacity',
  'opacity',
  'color',
  'display',
  'visibility',
  'overflow',
  'clip-path',
  'clip-rule',
  'clipPathUnits',
  'mask',
  'maskUnits',
  'maskContentUnits',
  'filter',
  'filterUnits',
  'primitiveUnits',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'offset',
  'stop-color',
  'stop-opacity',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'font-family',
  'font-size',
  'font-size-adjust',
  'font-weight',
  'font-style',
  'font-variant',
  'font-stretch',
  'text-anchor',
  'dominant-baseline',
  'alignment-baseline',
  'baseline-shift',
  'letter-spacing',
  'word-spacing',
  'text-decoration',
  'writing-mode',
  'direction',
  'unicode-bidi',
  'dx',
  'dy',
  'rotate',
  'textLength',
  'lengthAdjust',
  'startOffset',
  'method',
  'spacing',
  'side',
  'marker-start',
  'marker-mid',
  'marker-end',
  'markerWidth',
  'markerHeight',
  'markerUnits',
  'refX',
  'refY',
  'orient',
  'in',
  'in2',
  'result',
  'stdDeviation',
  'mode',
  'operator',
  'k1',
  'k2',
  'k3',
  'k4',
  'type',
  'values',
  'tableValues',
  'slope',
  'intercept',
  'amplitude',
  'exponent',
  'kernelMatrix',
  'kernelUnitLength',
  'order',
  'divisor',
  'bias',
  'targetX',
  'targetY',
  'edgeMode',
  'preserveAlpha',
  'scale',
  'xChannelSelector',
  'yChannelSelector',
  'radius',
  'baseFrequency',
  'numOctaves',
  'seed',
  'stitchTiles',
  'surfaceScale',
  'diffuseConstant',
  'specularConstant',
  'specularExponent',
  'azimuth',
  'elevation',
  'z',
  'pointsAtX',
  'pointsAtY',
  'pointsAtZ',
  'limitingConeAngle',
  'flood-color',
  'flood-opacity',
  'lighting-color',
  'color-interpolation',
  'color-interpolation-filters',
  'color-rendering',
  'shape-rendering',
  'text-rendering',
  'image-rendering',
  'vector-effect',
  'paint-order',
  'mix-blend-mode',
  'isolation',
  'enable-background',
  'role',
  'aria-label',
  'aria-labelledby',
  'aria-describedby',
  'aria-hidden',
  'focusable',
  'lang',
]);

/** Deeper than any drawing program nests groups; bounds the work a browser does on every page view. */
const MAX_DEPTH = 64;
const MAX_ELEMENTS = 20_000;

/**
 * CSS may only point inside the drawing: `url(#id)`. `@import`, any other
 * `url(...)` and the old script hooks (`expression(`, `javascript:`) load or
 * run something. Backslash escapes are refused too, as they can spell any of
 * those another way.
 */
function isPlainCss(css: string): boolean {
  const lower = css.toLowerCase();
  if (lower.includes('\\') || lower.includes('@import') || lower.includes('expression(') || lower.includes('javascript:')) return false;
  for (let at = lower.indexOf('url('); at !== -1; at = lower.indexOf('url(', at + 4)) {
    const target = lower
      .slice(at + 4)
      .trimStart()
      .replace(/^["']/, '')
      .trimStart();
    if (!target.startsWith('#')) return false;
  }
  return true;
}

/** Values that point somewhere: only to an element of the drawing itself. */
const isLocalReference = (value: string) => value.trim().startsWith('#');

class NotPlain extends Error {}

/**
 * Whether an SVG is plain drawing: well-formed XML, every element and
 * attribute on an allowlist by its resolved namespace (so `<h:script>` with
 * `h` bound to the SVG or XHTML namespace is seen for what it is), references
 * only inside the drawing, no DOCTYPE, entities or processing instructions.
 * An SVG that is not is refused rather than rewritten, so what is served is
 * exactly what staff uploaded. The parser reads each byte once.
 */
export function isPlainSvg(bytes: Buffer): boolean {
  const parser = new SaxesParser({ xmlns: true, position: false });
  let depth = 0;
  let elements = 0;
  let style: string | undefined;
  let inEditorData = 0;
  const refuse = () => {
    throw new NotPlain();
  };
  parser.on('doctype', refuse);
  parser.on('processinginstruction', refuse);
  parser.on('error', refuse);
  parser.on('opentag', (tag) => {
    // A style sheet is text only; an element inside one could hide text from the check below.
    if (style !== undefined) refuse();
    depth++;
    elements++;
    if (depth > MAX_DEPTH || elements > MAX_ELEMENTS) refuse();
    if (depth === 1 && (tag.uri !== SVG || tag.local !== 'svg')) refuse();
    if (inEditorData > 0 || EDITOR_NAMESPACES.has(tag.uri)) {
      // Bookkeeping from drawing programs is inert data, attributes and all, but nothing inside it may be SVG, XHTML or MathML.
      if (!EDITOR_NAMESPACES.has(tag.uri)) refuse();
      inEditorData++;
      return;
    }
    if (tag.uri !== SVG || !ELEMENTS.has(tag.local)) refuse();
    for (const attribute of Object.values(tag.attributes)) {
      const { uri, local, value } = attribute;
      if (uri === XMLNS || (uri === '' && local === 'xmlns')) continue;
      if (uri === XML && (local === 'space' || local === 'lang')) continue;
      if (EDITOR_NAMESPACES.has(uri)) continue;
      if ((uri === XLINK || uri === '') && local === 'href') {
        if (!isLocalReference(value)) refuse();
        continue;
      }
      if (uri === XLINK && (local === 'title' || local === 'type')) continue;
      if (uri !== '' || !(ATTRIBUTES.has(local) || local.startsWith('data-'))) refuse();
      if (!isPlainCss(value)) refuse();
    }
    if (tag.uri === SVG && tag.local === 'style') style = '';
  });
  parser.on('closetag', () => {
    depth--;
    if (inEditorData > 0) inEditorData--;
    if (style !== undefined && !isPlainCss(style)) refuse();
    style = undefined;
  });
  const collectStyle = (text: string) => {
    if (style !== undefined) style += text;
  };
  parser.on('text', collectStyle);
  parser.on('cdata', collectStyle);
  try {
    parser.write(bytes.toString('utf8').replace(/^\uFEFF/, '')).close();
  } catch {
    return false;
  }
  return elements > 0;
}
