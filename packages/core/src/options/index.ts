export {
  CONFIG_ERROR_CODES,
  PortcullisConfigError,
  isPortcullisConfigError,
  withOptionPath,
  type ConfigErrorCode,
  type PortcullisConfigErrorOptions,
} from './config-error';
export { nearestName } from './nearest';
export {
  opt,
  checkOptions,
  findUnknownOptions,
  childPath,
  isPlainObject,
  type OptionSpec,
  type FieldSpec,
  type ObjectRule,
  type NumberBounds,
} from './spec';
