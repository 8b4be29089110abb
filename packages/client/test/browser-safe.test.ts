import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(__dirname, '..', 'src');

/**
 * The package runs in browsers as a plain ES module (the example page serves
 * dist/index.js as is): its sources may import only each other (bundled into one file)
 * and types, and use no Node.js global.
 */
describe('the sources are browser-safe', () => {
  const files = readdirSync(SRC).filter((name) => name.endsWith('.ts'));

  it.each(files)('%s imports only its siblings and types', (name) => {
    const text = readFileSync(join(SRC, name), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const imports = [...text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)];
    for (const [, , typeOnly, specifier] of imports) {
      if (typeOnly === undefined) expect(specifier).toMatch(/^\.\//);
    }
    expect(text).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|\bglobal\.|node:/);
  });
});
