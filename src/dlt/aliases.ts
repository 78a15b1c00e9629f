/** dlt's snake_case option names, with their camelCase spellings accepted as aliases (types only). */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** The options as dlt names them, plus an optional camelCase alias of each (`totalPath` for `total_path`). */
export type WithAliases<T> = T & { [K in keyof T as K extends string ? (Camel<K> extends K ? never : Camel<K>) : never]?: T[K] };
