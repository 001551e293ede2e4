// A typed consumer of the package's public .d.ts: compiled with `tsc --noEmit` in the test
// command, so a loose `any` or a renamed export breaks the build.
import {
  init,
  parseUrn,
  messageId,
  conversationId,
  profileId,
  isSalesNavThread,
  encodeUrnForPath,
  type ParsedUrn,
} from "threadline";

export async function normalize(urn: string): Promise<{ id: string; parts: string[] }> {
  await init();
  const parsed: ParsedUrn = parseUrn(urn);
  const parts: string[] = parsed.parts;
  const entity: string = parsed.entityType;
  const id: string = messageId(urn);
  const thread: string = conversationId("https://www.linkedin.com/messaging/thread/2-abc/");
  const who: string = profileId("urn:li:fsd_profile:ACoAAB");
  const salesNav: boolean = isSalesNavThread(thread);
  const path: string = encodeUrnForPath(urn);
  return { id: `${id}${entity}${who}${salesNav}${path}`, parts };
}
