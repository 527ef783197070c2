#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=1024
import * as path from 'path';
import { collectGarbageSoon } from './core/heap';
import { closeLogs, log, logBuffer, reopenLogs } from './core/log';
import type { RunningProxy } from './core/proxy';
import { loadGlobalSettings } from './core/settings';
import { notifyReady } from './core/systemd';
import { embeddedConfig } from './embedded';

// Worker processes load only what file serving needs; the rest is required lazily in the primary.
/* eslint-disable @typescript-eslint/no-var-requires */
const modules = () => require('./modules') as typeof import('./modules');
const proxyCore = () => require('./core/proxy') as typeof import('./core/proxy');

interface Cli {
  command: 'run' | 'check' | 'dhcp-snippet';
  settings?: string;
  /** Arguments of a tool command (dhcp-snippet), parsed by the tool. */
  toolArgs: string[];
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = { command: 'run', toolArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--settings' || a === '-s') cli.settings = argv[++i];
    else if (a.startsWith('--settings=')) cli.settings = a.slice('--settings='.length);
    else if (a === 'check' || a === 'run' || a === 'dhcp-snippet') cli.command = a;
    else if (cli.command === 'dhcp-snippet') cli.toolArgs.push(a);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: smart-proxy [run|check] [--settings /etc/foreman-proxy/settings.yml]\n' +
        '       smart-proxy dhcp-snippet --isc|--kea|--libvirt [--settings FILE] [--host HOST] [--https] (see --help after it)\n');
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
  const { MODULES, PROVIDERS } = modules();
  let proxy: RunningProxy;
  try {
    proxy = await proxyCore().startProxy({ ...configFor(cli), modules: MODULES, providers: PROVIDERS, listen: false });
  } catch (err) {
    process.stderr.write(`settings: ${(err as Error).message}\n`);
    return 1;
  }
  let failed = 0;
  for (const m of proxy.registry.modules) {
    if (m.decl.root || (m.decl.notImplemented && m.state === 'disabled')) continue;
    // The registry records failures where GET /logs reports them (failed_modules).
    const failure = m.failure ?? (m.state === 'failed' ? logBuffer().failedModules[m.decl.name] : undefined);
    const line = `${m.decl.name}: ${m.state}${failure ? ` - ${failure}` : ''}`;
    process.stdout.write(`${line}\n`);
    if (m.state === 'failed') failed++;
  }
  await proxy.stop();
  return failed ? 1 : 0;
}

async function run(cli: Cli): Promise<void> {
  let proxy: RunningProxy;
  try {
    const config = configFor(cli);
    const { MODULES, PROVIDERS } = modules();
    const { workerCount } = require('./core/cluster') as typeof import('./core/cluster');
    proxy = await proxyCore().startProxy({ ...config, modules: MODULES, providers: PROVIDERS, workers: workerCount(config.global) });
  } catch (err) {
    log.fatal('Error during startup, terminating', err);
    process.stderr.write(`Errors detected on startup, see log for details. Exiting: ${(err as Error).message}\n`);
    closeLogs();
    process.exit(1);
  }
  await notifyReady();
  collectGarbageSoon();
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
  process.on('SIGUSR1', () => {
    reopenLogs();
    log.info('Logging file reopened via USR1 signal');
  });
  // The Ruby proxy dumps its threads on TTIN; the Node equivalent is a diagnostic report on stdout.
  process.on('SIGTTIN', () => { process.report?.writeReport('stdout'); });
}

/** A bug in one request must not take every module down with it: log it with its stack and go on. */
function keepRunningOnErrors(): void {
  process.on('unhandledRejection', (reason) => log.error(`Unhandled promise rejection: ${(reason as Error)?.message ?? String(reason)}`, reason));
  process.on('uncaughtException', (err) => log.error(`Uncaught exception: ${err.message}`, err));
}

async function main(): Promise<void> {
  keepRunningOnErrors();
  if (process.env.SMART_PROXY_WORKER === '1') {
    const { workerMain } = require('./core/cluster-worker') as typeof import('./core/cluster-worker');
    workerMain((require('./modules/worker-mounts') as typeof import('./modules/worker-mounts')).WORKER_MOUNTS);
    return;
  }
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  if (cli.command === 'check') process.exit(await check(cli));
  if (cli.command === 'dhcp-snippet') {
    const { dhcpSnippetMain } = require('./tools/dhcp-snippet') as typeof import('./tools/dhcp-snippet');
    process.exit(dhcpSnippetMain(cli.toolArgs, cli.settings, embeddedConfig));
  }
  await run(cli);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
