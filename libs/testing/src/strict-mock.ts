/**
 * A mock that fails on any call nobody prepared: `strictMock<Producer>({ send: jest.fn() })`.
 * Reading an unprepared member throws, so an unexpected collaboration fails the test loudly.
 */
export function strictMock<T extends object>(impl: Partial<Record<keyof T, unknown>> = {}, name = 'mock'): T {
  return new Proxy(impl as T, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver);
      // Promise resolution and Jest's pretty-printer probe these; they are not collaborations.
      if (prop === 'then' || prop === 'asymmetricMatch' || prop === 'nodeType' || prop === '$$typeof' || typeof prop === 'symbol') {
        return undefined;
      }
      throw new Error(`${name}.${String(prop)} was used but not prepared by the test`);
    },
  });
}
