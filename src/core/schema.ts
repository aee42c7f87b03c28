/**
 * Declarative config schemas. Every option of every source, stage and sink is
 * declared exactly once here-style: its type, range, default and a one-line doc.
 * Validation, the JSON Schema for editors and the README reference are all derived
 * from these declarations, so they cannot disagree.
 */

interface FieldBase<T> {
  /** One-line description, shown in errors, the JSON Schema and the docs. */
  readonly doc: string;
  /** Value used when the key is absent. A field without default and not optional is required. */
  readonly default?: T;
  /** Absent is allowed and stays undefined. */
  readonly optional?: boolean;
}

export interface StringField extends FieldBase<string> {
  readonly kind: 'string';
  /** A human name for the format, for error messages ("a file path", "a URL"). */
  readonly format?: string;
  readonly minLength?: number;
}
/**
 * A frame size written `WIDTHxHEIGHT` (`1280x720`): whole pixels, each side
 * within `min`–`max`, and with `even` both sides even. The value is the
 * canonical text (`0640x0360` reads as `640x360`).
 */
export interface SizeField extends FieldBase<string> {
  readonly kind: 'size';
  /** Smallest width and height, in pixels. */
  readonly min: number;
  /** Largest width and height, in pixels. */
  readonly max: number;
  /**
   * Both sides even: 4:2:0 video (yuv420p, what framewire carries and H.264
   * encodes) stores chroma at half the size, and encoders reject odd sizes.
   */
  readonly even: boolean;
}
export interface NumberField extends FieldBase<number> {
  readonly kind: 'number';
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound: the value must be strictly greater. */
  readonly exclusiveMin?: number;
}
export interface BooleanField extends FieldBase<boolean> {
  readonly kind: 'boolean';
}
export interface EnumField<V extends string = string> extends FieldBase<V> {
  readonly kind: 'enum';
  readonly values: readonly V[];
}
export interface ListField<I = unknown> extends FieldBase<unknown[]> {
  readonly kind: 'list';
  readonly item: I;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface ObjectField<F = Fields> extends FieldBase<object> {
  readonly kind: 'object';
  readonly fields: F;
}
/** One of several field kinds, tried in order (e.g. a number or a string). */
export interface UnionField<A = readonly unknown[]> extends FieldBase<unknown> {
  readonly kind: 'union';
  readonly options: A;
}

export type Field =
  | StringField
  | SizeField
  | NumberField
  | BooleanField
  | EnumField
  // biome-ignore lint/suspicious/noExplicitAny: any item/field shape; Infer recovers the precise type
  | ListField<any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | ObjectField<any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | UnionField<any>;
export type Fields = Record<string, Field>;

export type Infer<F> = F extends StringField | SizeField
  ? string
  : F extends NumberField
    ? number
    : F extends BooleanField
      ? boolean
      : F extends EnumField<infer V>
        ? V
        : F extends ListField<infer I>
          ? Infer<I>[]
          : F extends ObjectField<infer G extends Fields>
            ? InferFields<G>
            : F extends UnionField<infer A extends readonly unknown[]>
              ? Infer<A[number]>
              : never;

type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { optional: true } ? K : never;
}[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferFields<F extends Fields> = Simplify<
  { -readonly [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & {
    -readonly [K in OptionalKeys<F>]?: Infer<F[K]>;
  }
>;

type Opts<X = object> = { readonly doc: string } & X;

/** Builders. `optional: true` is expressed with `.optional()`-style helpers below. */
export const t = {
  string<O extends Opts<{ format?: string; minLength?: number }>>(
    o: O & { default?: string },
  ): StringField & O {
    return { kind: 'string', ...o };
  },
  /** `WIDTHxHEIGHT`; by default each side 16–8192 and even (see SizeField). */
  size<O extends Opts<{ min?: number; max?: number; even?: boolean }>>(
    o: O & { default?: string },
  ): SizeField & O {
    return { kind: 'size', min: 16, max: 8192, even: true, ...o };
  },
  number<O extends Opts<{ integer?: boolean; min?: number; max?: number; exclusiveMin?: number }>>(
    o: O & { default?: number },
  ): NumberField & O {
    return { kind: 'number', ...o };
  },
  integer<O extends Opts<{ min?: number; max?: number }>>(
    o: O & { default?: number },
  ): NumberField & O {
    return { kind: 'number', integer: true, ...o };
  },
  boolean<O extends Opts>(o: O & { default?: boolean }): BooleanField & O {
    return { kind: 'boolean', ...o };
  },
  enum<const V extends string, O extends Opts>(
    values: readonly V[],
    o: O & { default?: V },
  ): EnumField<V> & O {
    return { kind: 'enum', values, ...o };
  },
  list<I extends Field, O extends Opts<{ minItems?: number; maxItems?: number }>>(
    item: I,
    o: O & { default?: Infer<I>[] },
  ): ListField<I> & O {
    return { kind: 'list', item, ...o };
  },
  object<F extends Fields, O extends Opts>(
    fields: F,
    o: O & { default?: InferFields<F> },
  ): ObjectField<F> & O {
    return { kind: 'object', fields, ...o };
  },
  union<const A extends readonly Field[], O extends Opts>(
    options: A,
    o: O & { default?: Infer<A[number]> },
  ): UnionField<A> & O {
    return { kind: 'union', options, ...o };
  },
};

/** Marks a field as optional: absent stays undefined instead of being an error. */
export function optional<F extends { readonly kind: string }>(field: F): F & { optional: true } {
  return { ...field, optional: true } as F & { optional: true };
}

/** A component's declared options: the schema of the object under its `type:`. */
export type ConfigOf<F extends Fields> = InferFields<F>;
