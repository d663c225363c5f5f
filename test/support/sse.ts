/** Reads GET /api/alarms/stream as an operator would: everything received so far, as text, until closed. */
export async function openAlarmStream(baseUrl: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/alarms/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
    }
  })().catch(() => undefined);
  return {
    res,
    text: () => text,
    /** Resolves when the server has ended the stream. */
    ended: reading,
    /** The events that mention `id`, in order. */
    eventsAbout: (id: string) => text.split('\n\n').filter((e) => e.includes(id)),
    async close() {
      controller.abort();
      await reading;
    },
  };
}
