/**
 * Compile-time checks that the option interfaces (written by hand, with their TSDoc) and the
 * zod schemas that validate them agree: a schema and its interface cannot drift apart.
 * Types only: nothing of this reaches the build.
 */

/** `true` when `A` and `B` are assignable to each other (readonly modifiers aside). */
export type Agrees<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** `true` when a schema's input type and an interface agree, field types and the set of fields alike. */
export type SchemaMatches<SchemaInput, Interface> = Agrees<SchemaInput, Interface> extends true ? Agrees<keyof SchemaInput, keyof Interface> : false;

/** Compiles only when `T` is `true`. */
export type Assert<T extends true> = T;
