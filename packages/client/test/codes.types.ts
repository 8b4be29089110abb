/**
 * Compile-time checks, run by `tsc` (the typecheck script), not by Jest: this package
 * copies core's code union so it can run in browsers without core; these lines stop
 * compiling the moment the two drift apart.
 */
import type {
  GuardErrorCode as CoreGuardErrorCode,
  GuardErrorData as CoreGuardErrorData,
} from '@portcullis/core';
import type { GuardErrorCode, GuardErrorInfo } from '../src';

/** `true` only when A and B are the same type (not merely mutually assignable). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const codesAreCoreCodes: Equals<GuardErrorCode, CoreGuardErrorCode> = true;

/** Everything a server sends fits the client's view of it. */
export const serverDataFitsClientInfo = (data: CoreGuardErrorData): GuardErrorInfo => data;

// @ts-expect-error a code core does not have is not a GuardErrorCode
export const unknownCode: GuardErrorCode = 'TEAPOT';
