#!/usr/bin/env node
import * as path from 'path';
import { closeLogs, log, reopenLogs } from './core/log';
import { RunningProxy, startProxy } from './core/proxy';
import { loadGlobalSettings } from './core/settings';
import { embeddedConfig } from './embedded';
import { MODULES, PROVIDERS } from './modules';

interface Cli {
  command: 'run' | 'check';
  settings?: string;
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = { command: 'run' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--settings' || a === '-s') cli.settings = argv[++i];
    else if (a.startsWith('--settings=')) cli.settings = a.slice('--settings='.length);
    else if (a === 'check' || a === 'run') cli.command = a;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: smart-proxy [run|check] [--settings /etc/foreman-proxy/settings.yml]\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return cli;
}

function configFor(cli: Cli) {
  if (cli.settings) return { global: loadGlobalSettings(path.resolve(cli.settings)) };
  const embedded = embeddedConfig();
  return { global: embedded.global, settingsSource: embedded.settingsSource };
}

async function check(cli: Cli): Promise<number> {
  const proxy = await startProxy({ ...configFor(cli), modules: MODULES, providers: PROVIDERS, listen: false });
  let failed = 0;
  for (const m of proxy.registry.modules) {
    if (m.decl.root || (m.decl.notImplemented && m.state === 'disabled')) continue;
    const line = `${m.decl.name}: ${m.state}${m.failure ? ` - ${m.failure}` : ''}`;
    process.stdout.write(`${line}\n`);
    if (m.state === 'failed') failed++;
  }
  await proxy.stop();
  return failed ? 1 : 0;
}

async function run(cli: Cli): Promise<void> {
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({ ...configFor(cli), modules: MODULES, providers: PROVIDERS });
  } catch (err) {
    log.fatal('Error during startup, terminating', err);
    process.stderr.write(`Errors detected on startup, see log for details. Exiting: ${(err as Error).message}\n`);
    closeLogs();
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}, shutting down`);
    proxy.stop().finally(() => {
      closeLogs();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGUSR1', () => reopenLogs());
}

async function main(): Promise<void> {
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  if (cli.command === 'check') process.exit(await check(cli));
  await run(cli);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
