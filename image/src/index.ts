export {
  buildImage,
  IMAGE_CMD,
  IMAGE_ENTRYPOINT,
  IMAGE_ENV,
  IMAGE_USER,
  METRICS_PORT,
  type BuildImageOptions,
  type BuiltImage,
} from './build-image.js';
export { baseLayer, defaultCacheDir, BaseLayerUnavailable, type BaseComponent, type BaseLayer } from './base-layer.js';
export {
  readLayout,
  writeLayout,
  descriptorOf,
  jsonBytes,
  blobPath,
  MEDIA_TYPES,
  REF_NAME,
  type Descriptor,
  type ImageManifest,
  type OciIndex,
  type LoadedLayout,
} from './oci-layout.js';
export { sha256Digest, DIGEST_PATTERN } from './digest.js';
export { buildLayer, type Layer } from './layer.js';
export { writeTar, type TarEntry } from './tar.js';
export { pushImage, DEFAULT_CHUNK_SIZE, type PushOptions, type PushResult } from './push.js';
export { RegistryClient, RegistryError, type Credentials } from './registry-client.js';
export { parseReference, defaultScheme, type ImageReference } from './reference.js';
export { registerCommands } from './commands.js';
export { writeImageLock } from './image-lock-write.js';
