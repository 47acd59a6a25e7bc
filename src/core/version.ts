/** Bonsai's version, as /_bonsai/health and `bonsai --version` report it. Keep in step with package.json. */
export const BONSAI_VERSION = '0.1.0';
