// Starting and stopping the server and load-generator processes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

// `--cpu-prof <dir>` on the runner (BENCH_CPU_PROF): each server writes a CPU profile
// there, named after its chain, when it is stopped.
export function startServer(chain, profile, env = {}) {
  const profileDir = process.env.BENCH_CPU_PROF;
  const profiling = profileDir
    ? [
        '--cpu-prof',
        ...(process.env.BENCH_CPU_PROF_INTERVAL
          ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
          : []),
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${chain}-${profile}-${Date.now()}.cpuprofile`,
      ]
    : [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', ...profiling, join(here, 'server.mjs'), chain, profile],
      {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        env: { ...process.env, NODE_ENV: 'benchmark', ...env },
      },
    );
    let buffer = '';
    let asking = Promise.resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${chain} did not start`));
    }, 15000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = /READY (\d+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve({
          port: Number(match[1]),
          child,
          // One question at a time: each answer is the next message from the child.
          ask(cmd, fields = {}) {
            const answer = asking.then(
              () =>
                new Promise((done) => {
                  child.once('message', done);
                  child.send({ ...fields, cmd });
                }),
            );
            asking = answer.catch(() => undefined);
            return answer;
          },
          stop() {
            const profileDir = process.env.BENCH_CPU_PROF;
            return new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              if (!profileDir) return child.kill('SIGKILL');
              // A profile is written only on a normal exit.
              child.send({ cmd: 'exit' });
              setTimeout(() => child.kill('SIGKILL'), 10000).unref();
            });
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server ${chain} exited with ${code}`));
    });
  });
}

/**
 * Runs the load generator; `onLine` sees each stdout line (and may be async: the result
 * waits for it); resolves with the last JSON line.
 */
export function runLoadgen(spec, { onLine, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'loadgen.mjs'), JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buffer = '';
    let last;
    const handlers = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator timed out: ${JSON.stringify(spec)}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('{')) last = JSON.parse(line);
        else if (onLine) handlers.push(onLine(line, child));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && last) Promise.all(handlers).then(() => resolve(last), reject);
      else reject(new Error(`load generator exited with ${code}`));
    });
  });
}
