/**
 * The README's code blocks run as a newcomer would run them: in a project of their own (a
 * temporary folder) where node_modules/myelin is this package (a symbolic link to it, as npm
 * links a local install) with its `myelin` command in node_modules/.bin. JavaScript blocks run
 * with node (as .mjs when they import, else .cjs), TypeScript blocks are type-checked with
 * strict settings by the project's tsc and the output run, shell blocks run with bash in order
 * (npx offline: it finds the linked command or fails). A block that cannot run here says why in
 * an HTML comment on the line before it, `<!-- not run: reason -->`; any other block runs, so
 * nothing is skipped silently.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const RUNNABLE = ['js', 'ts', 'sh'];

interface Block {
  readonly lang: string;
  readonly code: string;
  /** The line of its opening fence, from 1. */
  readonly line: number;
  /** Why it is not run, or null. */
  readonly notRun: string | null;
}

/** The fenced code blocks of a Markdown text. */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] as string);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md line ${i + 1}: a code block that never closes`);
    const before = lines.slice(0, i).reverse().find((l) => l.trim() !== '') ?? '';
    const marker = /^<!-- not run: (.+) -->$/.exec(before.trim());
    blocks.push({ lang: open[1] ?? '', code: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1, notRun: marker?.[1] ?? null });
    i = end;
  }
  return blocks;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { code: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}${result.error?.message ?? ''}` };
}

const blocks = codeBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));

describe('README.md code blocks', function () {
  this.timeout(180_000);
  let project: string;

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-readme-'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'readme-user', private: true }));
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    fs.mkdirSync(path.join(project, 'node_modules', '@types'));
    fs.symlinkSync(root, path.join(project, 'node_modules', 'myelin'));
    fs.symlinkSync(path.join('..', 'myelin', 'bin', 'myelin.js'), path.join(project, 'node_modules', '.bin', 'myelin'));
    fs.symlinkSync(path.join(root, 'node_modules', '@types', 'node'), path.join(project, 'node_modules', '@types', 'node'));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'node20', moduleResolution: 'node16', strict: true, noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true, types: ['node'], outDir: 'out', rootDir: '.', skipLibCheck: false,
      },
      include: ['*.mts'],
    }));
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('every block is JavaScript, TypeScript or shell, or says why it is not run', () => {
    expect(blocks.length).to.be.at.least(8);
    for (const block of blocks) {
      if (block.notRun === null) expect(RUNNABLE, `README.md line ${block.line}: a \`\`\`${block.lang} block with no "not run" note`).to.include(block.lang);
    }
    expect(blocks.filter((b) => b.notRun === null).map((b) => b.lang)).to.include.members(['js', 'ts', 'sh']);
  });

  for (const [i, block] of blocks.entries()) {
    if (block.notRun !== null || !RUNNABLE.includes(block.lang)) continue;
    const name = `block-${i}`;
    it(`runs the \`\`\`${block.lang} block of line ${block.line}`, () => {
      let result: { code: number | null; output: string };
      if (block.lang === 'ts') {
        fs.writeFileSync(path.join(project, `${name}.mts`), block.code);
        const checked = run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);
        expect(checked.code, `tsc, strict:\n${checked.output}`).to.equal(0);
        result = run(process.execPath, [path.join(project, 'out', `${name}.mjs`)], project);
      } else if (block.lang === 'js') {
        const file = path.join(project, `${name}.${/^import /m.test(block.code) ? 'mjs' : 'cjs'}`);
        fs.writeFileSync(file, block.code);
        result = run(process.execPath, [file], project);
      } else {
        const env = { ...process.env, PATH: [path.join(project, 'node_modules', '.bin'), path.dirname(process.execPath), process.env['PATH']].join(path.delimiter), npm_config_offline: 'true' };
        result = run('bash', ['-e', '-o', 'pipefail', '-c', block.code], project, env);
      }
      expect(result.code, result.output).to.equal(0);
      expect(result.output.trim(), 'the block printed nothing').to.not.equal('');
    });
  }
});
