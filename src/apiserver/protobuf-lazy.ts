// The protobuf codec (a large field table) is loaded on the first request that needs it:
// most clusters never see one before kubectl 1.31+ creates something, and idle memory counts.
type Codec = typeof import('../api/protobuf/index.js');

let codec: Codec | undefined;

/** Loads the codec if a request's content type or Accept mentions protobuf. */
export async function ensureProtobuf(...headers: (string | string[] | undefined)[]): Promise<void> {
  if (codec || !headers.some((h) => String(h ?? '').includes('protobuf'))) return;
  codec = await import('../api/protobuf/index.js');
}

/** The loaded codec; callers ensured it for this request. */
export function protobuf(): Codec {
  if (!codec) throw new Error('protobuf codec used before ensureProtobuf');
  return codec;
}
