// Draws a QR code as SVG on the server (no script, no external image): one path of dark modules. The QR library
// loads on the first code drawn, not at start (it and its PNG code are a tenth of the modules a start reads).

/** An SVG image of `text` as a QR code, with a quiet zone of 4 modules, scaled by the page. */
export async function qrSvg(text: string, title: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const margin = 4;
  const full = size + margin * 2;
  let path = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (qr.modules.get(y, x)) path += `M${x + margin} ${y + margin}h1v1h-1z`;
    }
  }
  const escapedTitle = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" ` +
    `role="img" aria-label="${escapedTitle}"><title>${escapedTitle}</title>` +
    `<rect width="${full}" height="${full}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
