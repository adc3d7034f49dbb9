import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CodedFailure, fieldFailure } from '@homeward/domain';
import { CreateEscalationContactDto, type EscalationChannel, type EscalationContactView } from '@homeward/contracts';
import type { EscalationContact, Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, NotAudited, Trail } from '../audit/audit.decorators';
import { NOTIFICATIONS_STORAGE } from './notifications.options';
import type { Clock } from '../clock';
import { CLOCK } from '../tokens';
import { Answers, arrayOf } from '../http/answer-schemas';
import { ESCALATION_CONTACT } from './notifications.answers';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Who a ward's escalations reach. Admins add and remove contacts; the ward's nurses and clinicians
 * see them (so they know who was told). A webhook's secret is written once and never shown again,
 * and its URL is shown without query or credentials, which may hold tokens.
 */
@Controller('api/wards/:id/escalation-contacts')
export class EscalationContactsController {
  constructor(
    @Inject(NOTIFICATIONS_STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('who a ward\'s escalations reach: names and roles, no patient data')
  @Refuses('ward.not-found')
  @Answers(arrayOf(ESCALATION_CONTACT))
  @Get()
  async list(@Param('id', new ParseUUIDPipe()) wardId: string, @CurrentUser() user: SignedInUser): Promise<EscalationContactView[]> {
    await this.ward(wardId, user);
    return (await this.storage.notifications.contactsOfWard(wardId)).map(toView);
  }

  @Roles('admin')
  @Audited('ward.escalation-contact.add', 'ward', { param: 'id' })
  @Refuses('ward.not-found', 'escalation-contact.stream-has-url', 'escalation-contact.url-insecure')
  @Answers(ESCALATION_CONTACT)
  @Post()
  async add(@Param('id', new ParseUUIDPipe()) wardId: string, @Body() body: CreateEscalationContactDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<EscalationContactView> {
    await this.ward(wardId, user);
    const channel = body.channel as EscalationChannel;
    if (channel === 'stream' && (body.url !== undefined || body.secret !== undefined)) {
      throw fieldFailure('escalation-contact.stream-has-url', ['url, secret: a stream contact is told on the live stream and takes no URL or secret']);
    }
    if (channel === 'webhook' && body.url !== undefined && !secureEnough(body.url)) {
      // The body names a ward and an alert: it travels encrypted unless it stays on this machine.
      throw fieldFailure('escalation-contact.url-insecure', ['url: a webhook must use https (plain http only to this machine)']);
    }
    const contact = await this.storage.notifications.addContact({
      wardId,
      name: body.name.trim(),
      role: body.role.trim(),
      channel,
      url: body.url ?? null,
      secret: body.secret ?? null,
      at: this.clock.now(),
      by: user.id,
    });
    trail.with({ contactId: contact.id, channel });
    return toView(contact);
  }

  @Roles('admin')
  @Audited('ward.escalation-contact.remove', 'ward', { param: 'id' })
  @Refuses('ward.not-found', 'escalation-contact.not-found')
  @Delete(':contactId')
  @HttpCode(204)
  async remove(
    @Param('id', new ParseUUIDPipe()) wardId: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
  ): Promise<void> {
    await this.ward(wardId, user);
    const removed = await this.storage.notifications.removeContact(contactId, { wardId, at: this.clock.now(), by: user.id });
    if (!removed) throw new CodedFailure({ code: 'escalation-contact.not-found', message: `There is no escalation contact ${contactId} on this ward.` });
    trail.with({ contactId });
  }

  private async ward(id: string, user: SignedInUser): Promise<void> {
    const ward = user.role === 'admin' || user.wardIds.includes(id) ? await this.storage.registry.getWard(id) : undefined;
    if (!ward) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${id} among your wards.` });
  }
}

function secureEnough(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  } catch {
    return false;
  }
}

function toView(contact: EscalationContact): EscalationContactView {
  return {
    id: contact.id,
    wardId: contact.wardId,
    name: contact.name,
    role: contact.role,
    channel: contact.channel,
    url: contact.url === null ? null : shownUrl(contact.url),
    createdAt: contact.createdAt.toISOString(),
  };
}

/** Scheme, host and path only. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unreadable URL)';
  }
}
