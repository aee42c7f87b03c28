/**
 * Placeholder created by the config engineer so the CLI can import the real
 * registries; the lead replaces it with the file that registers every component.
 */
export { registries } from './components.ts';
