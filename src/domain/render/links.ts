// Links and images in Telegram terms: which URLs a text_link may carry, how an image reads as text. Pure.

/** True for URLs Telegram accepts in a text_link: http(s):// or tg:// that `new URL` can parse. */
export function isLinkableUrl(url: string): boolean {
  if (!/^(https?|tg):\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** Telegram messages carry no images: an image shows as its alt text and URL. */
export const imageText = (alt: string, url: string): string => (alt && url ? `${alt} (${url})` : alt || url);
