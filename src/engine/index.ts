// The engine's public surface: connect, then ask for images and containers. See docs/architecture.md.
export { connectEngine, engineChoices, noEngineHint, type Engine, type EngineChoice } from './client.ts';
export { basePackagesLabel, cacheDir, suiteOf, type BaseImageOptions, type BootstrapOptions, type BootstrapTimes } from './base.ts';
export { dpkgQueryFormat, packageListDigest, parseDpkgQuery, parseDpkgStatus, type InstalledPackage } from './dpkg.ts';
export { parseDeb822, parseSourcesList, pickMirror, readHostSources, type AptSource } from './apt-sources.ts';
export {
  silentProgress,
  type BuildOptions,
  type BuildResult,
  type ContainerOptions,
  type ContextFile,
  type EngineKind,
  type EngineProgress,
  type ImageInfo,
  type Mount,
  type PortBinding,
  type RunningContainer,
} from './types.ts';
export { podmanServiceCommand } from './podman.ts';
