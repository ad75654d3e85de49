/** A text kept to its first `max` characters, saying how many were left out. */
export function cutText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters not kept)` : text;
}
