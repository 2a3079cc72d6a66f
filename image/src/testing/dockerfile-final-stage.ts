/**
 * Reads what a Dockerfile's final stage says about the running container (base image, entry
 * point, command, user, working folder, environment, ports, what is copied into /app and which
 * workspace packages are packed), so a test can hold the daemonless image to the same contract.
 */
export interface DockerfileStage {
  from: string;
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workdir?: string;
  env: string[];
  expose: string[];
  copies: string[];
  /** `npm pack … -w <dir>` workspaces of the build stage. */
  packedWorkspaces: string[];
}

/** Entry points of the base images the Dockerfiles use (from their published image configs). */
export const BASE_ENTRYPOINTS: Record<string, string[]> = {
  'gcr.io/distroless/nodejs20-debian12:nonroot': ['/nodejs/bin/node'],
  'node:20-bookworm-slim': ['docker-entrypoint.sh'],
};

function logicalLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export function parseDockerfile(text: string): DockerfileStage {
  const lines = logicalLines(text);
  const packed = new Set<string>();
  let stage: DockerfileStage | undefined;
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = instruction!.toUpperCase();
    for (const m of args.matchAll(/-w\s+(\S+)/g)) if (upper === 'RUN') packed.add(m[1]!);
    if (upper === 'FROM') {
      stage = { from: rest[0]!, env: [], expose: [], copies: [], packedWorkspaces: [] };
      continue;
    }
    if (!stage) throw new Error(`${line}: instruction before FROM`);
    if (upper === 'ENTRYPOINT') stage.entrypoint = JSON.parse(args) as string[];
    else if (upper === 'CMD') stage.cmd = JSON.parse(args) as string[];
    else if (upper === 'USER') stage.user = args;
    else if (upper === 'WORKDIR') stage.workdir = args;
    else if (upper === 'ENV') stage.env.push(args.replace(/\s+/, '='));
    else if (upper === 'EXPOSE') stage.expose.push(...rest);
    else if (upper === 'COPY') stage.copies.push(rest[rest.length - 1]!);
  }
  if (!stage) throw new Error('no FROM in the Dockerfile');
  stage.packedWorkspaces = [...packed].sort();
  return stage;
}

/** The argv the container starts with: ENTRYPOINT (own or the base's) followed by CMD. */
export function effectiveCommand(stage: DockerfileStage): string[] {
  const entrypoint = stage.entrypoint ?? BASE_ENTRYPOINTS[stage.from];
  if (!entrypoint) throw new Error(`unknown base image ${stage.from}: add its entry point to BASE_ENTRYPOINTS`);
  return [...entrypoint, ...(stage.cmd ?? [])];
}
