/**
 * The deployment files, read as Docker Compose, Docker, systemd and Kubernetes would read them (none
 * of those runs here): the settings an operator relies on. Redis reachable from the host but only on
 * loopback, never evicting and keeping an append-only file; a managed Redis in `.env` not overridden;
 * the bridge published on loopback unless asked; an image on a supported Node.js LTS, non-root, with
 * signals reaching node; stop timeouts longer than the bridge's own shutdown deadline; probes on
 * /livez and /readyz; tokens only in the Secret.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import pkg from '../../package.json' with { type: 'json' };

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The bridge's own deadline from SIGTERM to exit (src/main.ts), seconds. */
function shutdownDeadlineSeconds(): number {
  const match = /EXIT_DEADLINE_MS = ([\d_]+)/.exec(read('src/main.ts'));
  if (!match?.[1]) throw new Error('EXIT_DEADLINE_MS not found in src/main.ts: update this test');
  return Number(match[1].replaceAll('_', '')) / 1000;
}

/** Docker Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR-default}`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?:(:?-)([^}]*))?\}/g,
    (_, name: string, op: string | undefined, fallback) => {
      const set = env[name];
      if (op === ':-') return set ? set : fallback;
      if (op === '-') return set ?? fallback;
      return set ?? '';
    },
  );
}

/** Seconds of a Compose duration such as `15s` or `1m30s`. */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(h|m|s)/g))
    total += Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  return total;
}

interface ComposeService {
  command: string[];
  ports?: string[];
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
  const { redis, bridge } = compose.services;
  if (!redis || !bridge) throw new Error('docker-compose.yml needs the services redis and bridge');

  it("publishes Redis on the host's loopback only, at 6379 where `npm start` looks", () => {
    expect(redis.ports?.map((p) => interpolate(p, {}))).toEqual(['127.0.0.1:6379:6379']);
  });

  it('runs Redis with an append-only file and never evicting', () => {
    const args = redis.command.join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
  });

  it('points the bridge at its Redis only when .env or the shell sets no REDIS_URL', () => {
    const redisUrl = bridge.environment?.REDIS_URL ?? '';
    expect(interpolate(redisUrl, {})).toBe('redis://redis:6379');
    expect(interpolate(redisUrl, { REDIS_URL: '' })).toBe('redis://redis:6379');
    expect(interpolate(redisUrl, { REDIS_URL: 'rediss://u:p@managed.example:6380' })).toBe(
      'rediss://u:p@managed.example:6380',
    );
  });

  it('publishes the bridge on loopback unless BRIDGE_PUBLISH_ADDR opts in, listening on 0.0.0.0 inside', () => {
    const ports = bridge.ports ?? [];
    expect(ports.map((p) => interpolate(p, {}))).toEqual(['127.0.0.1:3000:3000']);
    expect(ports.map((p) => interpolate(p, { HTTP_PORT: '8080' }))).toEqual(['127.0.0.1:8080:8080']);
    expect(ports.map((p) => interpolate(p, { BRIDGE_PUBLISH_ADDR: '0.0.0.0' }))).toEqual([
      '0.0.0.0:3000:3000',
    ]);
    // An HTTP_HOST=127.0.0.1 in .env (for a bridge on the host) must not make the container unreachable.
    expect(bridge.environment?.HTTP_HOST).toBe('0.0.0.0');
  });

  it("gives the bridge longer than its own shutdown deadline before Docker's SIGKILL", () => {
    expect(seconds(bridge.stop_grace_period ?? '10s')).toBeGreaterThan(shutdownDeadlineSeconds());
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('builds and runs on a supported Node.js LTS (22 or 24) while package.json still allows 20.12', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:(22|24)-bookworm-slim\b/);
    expect(pkg.engines.node).toBe('>=20.12');
  });

  it('runs as a non-root user, listening on every interface of the container', () => {
    const final = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));
    expect(final).toContain('USER node');
    expect(final).toContain('ENV HTTP_HOST=0.0.0.0');
  });

  it('starts node itself in exec form, so SIGTERM reaches the bridge', () => {
    const cmd = instructions.find((l) => l.startsWith('CMD '));
    expect(JSON.parse(cmd?.slice(4) ?? 'null')).toEqual(['node', 'dist/src/main.js']);
  });

  it('checks liveness (/livez), not the health of platforms', () => {
    const check = instructions.find((l) => l.startsWith('HEALTHCHECK '));
    // Exec form too: a JSON array, run without a shell.
    const command = JSON.parse(check?.slice(check.indexOf('CMD ') + 4) ?? 'null') as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/livez');
    expect(check).not.toContain('/healthz');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', 'dist', '.git']) expect(ignored).toContain(entry);
  });
});

describe('systemd unit', () => {
  const unit = read('deploy/systemd/aksita-bridge.service');
  const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];

  it('runs the compiled program with node, configured from an environment file', () => {
    expect(setting('ExecStart')).toMatch(/\/node dist\/src\/main\.js$/);
    expect(setting('WorkingDirectory')).toBeTruthy();
    expect(setting('EnvironmentFile')).toBe('/etc/aksita-bridge/env');
    expect(setting('User')).not.toBe('root');
  });

  it('restarts it, and waits longer than its shutdown deadline before SIGKILL', () => {
    expect(setting('Restart')).toBe('always');
    expect(Number(setting('TimeoutStopSec'))).toBeGreaterThan(shutdownDeadlineSeconds());
    expect(setting('KillSignal')).toBe('SIGTERM');
  });
});

interface Container {
  env?: Array<{ name: string; value: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    template: { spec: { terminationGracePeriodSeconds?: number; containers: Container[] } };
  };
}

describe('Kubernetes example', () => {
  const manifests = parseAllDocuments(read('deploy/kubernetes/aksita-bridge.yaml')).map(
    (doc) => doc.toJS() as Manifest,
  );
  const deployment = (role: string) => {
    const found = manifests.find(
      (m) =>
        m.kind === 'Deployment' &&
        m.spec?.template.spec.containers[0]?.env?.some((e) => e.name === 'BRIDGE_ROLE' && e.value === role),
    );
    if (!found?.spec) throw new Error(`no Deployment with BRIDGE_ROLE=${role}`);
    return found.spec;
  };

  it('runs exactly one receiver (one long poller per bot token), never two during a rollout', () => {
    const receiver = deployment('receiver');
    expect(receiver.replicas).toBe(1);
    expect(receiver.strategy?.type).toBe('Recreate');
  });

  it('probes liveness on /livez and readiness on /readyz, and waits out the shutdown', () => {
    for (const role of ['receiver', 'worker']) {
      const { spec } = deployment(role).template;
      const [container] = spec.containers;
      expect(container?.livenessProbe?.httpGet?.path, role).toBe('/livez');
      expect(container?.readinessProbe?.httpGet?.path, role).toBe('/readyz');
      expect(spec.terminationGracePeriodSeconds, role).toBeGreaterThan(shutdownDeadlineSeconds());
      expect(container?.envFrom?.map((e) => e.secretRef?.name).filter(Boolean), role).toEqual([
        'aksita-bridge',
      ]);
    }
  });

  it('keeps tokens, keys and the Redis URL in the Secret, not in the ConfigMap', () => {
    const secret = manifests.find((m) => m.kind === 'Secret');
    const config = manifests.find((m) => m.kind === 'ConfigMap');
    expect(Object.keys(secret?.stringData ?? {})).toEqual(
      expect.arrayContaining(['AKSITA_API_KEY', 'TELEGRAM_BOT_TOKEN', 'REDIS_URL']),
    );
    for (const key of Object.keys(config?.data ?? {})) expect(key).not.toMatch(/TOKEN|KEY|SECRET|REDIS_URL/);
    expect(config?.data?.HTTP_HOST).toBe('0.0.0.0');
  });

  it('serves /metrics on a port of its own, behind a token, that no Service exposes', () => {
    const secret = manifests.find((m) => m.kind === 'Secret');
    const config = manifests.find((m) => m.kind === 'ConfigMap');
    const service = manifests.find((m) => m.kind === 'Service') as unknown as {
      spec: { ports: Array<{ targetPort: string | number }> };
    };
    expect(Object.keys(secret?.stringData ?? {})).toContain('METRICS_TOKEN');
    const port = Number(config?.data?.METRICS_PORT);
    expect(port).not.toBe(Number(config?.data?.HTTP_PORT));
    for (const role of ['receiver', 'worker']) {
      const [container] = deployment(role).template.spec.containers as Array<
        Container & { ports?: Array<{ name: string; containerPort: number }> }
      >;
      expect(container?.ports?.find((p) => p.name === 'metrics')?.containerPort, role).toBe(port);
    }
    expect(service.spec.ports.map((p) => p.targetPort)).not.toContain('metrics');
    expect(service.spec.ports.map((p) => p.targetPort)).not.toContain(port);
  });
});

describe('Grafana dashboard', () => {
  interface Panel {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { uid: string };
    targets?: Array<{ expr: string }>;
  }
  const dashboard = JSON.parse(read('deploy/grafana/aksita-bridge.json')) as {
    uid: string;
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string }> };
  };

  it('imports into any Grafana: the Prometheus data source is a variable, every panel has a query', () => {
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toContain('job=~"$job"');
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
  });

  it('shows what an operator watches', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    for (const name of [
      'aksita_bridge_messages_in_total',
      'aksita_bridge_messages_out_total',
      'aksita_bridge_agent_latency_seconds_bucket',
      'aksita_bridge_agent_errors_total',
      'aksita_bridge_send_failures_total',
      'aksita_bridge_queue_jobs',
      'aksita_bridge_turns_in_flight',
      'aksita_bridge_credits_remaining',
      'aksita_bridge_credits_used_total',
      'aksita_bridge_agent_outage_seconds',
    ])
      expect(
        exprs.some((e) => e.includes(`${name}{`)),
        name,
      ).toBe(true);
    expect(exprs.filter((e) => e.includes('histogram_quantile(0.5,'))).toHaveLength(1);
    expect(exprs.filter((e) => e.includes('histogram_quantile(0.95,'))).toHaveLength(1);
  });
});
