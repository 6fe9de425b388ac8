/**
 * Hardened XML reading and writing on fast-xml-parser: no DTD, no entity beyond the five XML
 * predefines and numeric references, a size bound before parsing. See README.md.
 */
export {
  type BuildXmlOptions,
  buildXml,
  escapeXmlText,
  type XmlBuildElement,
  type XmlBuildValue,
} from './build-xml.ts';
export {
  type CheckedXml,
  type CheckXmlOptions,
  checkXml,
  DEFAULT_MAX_XML_BYTES,
  refuseMarkupDeclarations,
  refuseOversized,
} from './check-xml.ts';
export { BARE_AMPERSAND, decodeXmlReferences } from './entity-decoder.ts';
export { findMarkupDeclaration, type MarkupDeclaration } from './markup-declarations.ts';
export { MAX_XML_DEPTH, type ParseXmlOptions, parseXml } from './parse-xml.ts';
export { type ReadXmlOptions, readXml, type XmlEventHandler } from './read-xml.ts';
export { type ScannedElement, scanElements } from './scan-elements.ts';
export { positionAt } from './text-position.ts';
export { describePosition, XML_PROBLEMS, XmlError, type XmlPosition, type XmlProblem } from './xml-error.ts';
export {
  ATTRIBUTE_PREFIX,
  attributeOf,
  childAt,
  childNamed,
  childNames,
  childrenNamed,
  isXmlElement,
  localName,
  TEXT_KEY,
  textOf,
  type XmlElement,
  type XmlValue,
} from './xml-node.ts';
