// Label and field selectors (k8s.io/apimachinery labels + fields, and per-resource field sets).
export * from './labels.js';
export * from './fields.js';
export * from './fieldsets.js';
export { isQualifiedName, isValidLabelValue, isDNS1123Subdomain, goQuote } from './validation.js';
