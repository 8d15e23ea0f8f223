export function svgResponse(svg: string): Response {
  return new Response(svg, { headers: { 'content-type': 'image/svg+xml; charset=utf-8', 'access-control-allow-origin': '*' } });
}
