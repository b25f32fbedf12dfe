import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { ErrorCodes, isIanaTimeZone } from '@lib/contracts';

/** class-validator's errors as problem+json field errors, each named by its path (`a.b.0.c`) under `prefix`. */
export function fieldErrorsOf(errors: ValidationError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...fieldErrorsOf(e.children ?? [], field)];
  });
}

/** class-validator on every body, query and param: unknown fields are rejected, and named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = fieldErrorsOf(errors);
      return new BadRequestException({
        code: ErrorCodes.validation,
        title: 'Invalid request',
        detail: list.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
        errors: list,
      });
    },
  });
}

/** An IANA time zone name (see canonicalTimeZone), e.g. `Europe/Berlin`; never a fixed offset. */
export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: (value: unknown) => isIanaTimeZone(value),
        defaultMessage: (args) => `${args?.property ?? 'timeZone'} must be an IANA time zone such as Europe/Berlin`,
      },
    },
    options,
  );
}
