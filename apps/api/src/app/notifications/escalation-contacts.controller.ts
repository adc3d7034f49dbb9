import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CreateEscalationContactDto, type EscalationChannel, type EscalationContactView } from '@homeward/contracts';
import type { EscalationContact, Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { NOTIFICATIONS_STORAGE } from './notifications.options';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Who a ward's escalations reach. Admins add and remove contacts; the ward's nurses and clinicians
 * see them (so they know who was told). A webhook's secret is written once and never shown again,
 * and its URL is shown without query or credentials, which may hold tokens.
 */
@Controller('api/wards/:id/escalation-contacts')
export class EscalationContactsController {
  constructor(@Inject(NOTIFICATIONS_STORAGE) private readonly storage: Storage) {}

  @Roles('nurse', 'clinician', 'admin')
  @Get()
  async list(@Param('id', new ParseUUIDPipe()) wardId: string, @CurrentUser() user: SignedInUser): Promise<EscalationContactView[]> {
    await this.ward(wardId, user);
    return (await this.storage.notifications.contactsOfWard(wardId)).map(toView);
  }

  @Roles('admin')
  @Post()
  async add(@Param('id', new ParseUUIDPipe()) wardId: string, @Body() body: CreateEscalationContactDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<EscalationContactView> {
    await this.ward(wardId, user);
    const channel = body.channel as EscalationChannel;
    if (channel === 'stream' && (body.url !== undefined || body.secret !== undefined)) {
      throw new BadRequestException({ code: 'escalation-contact.stream-has-url', message: ['url, secret: a stream contact is told on the live stream and takes no URL or secret'] });
    }
    if (channel === 'webhook' && body.url !== undefined && !secureEnough(body.url)) {
      // The body names a ward and an alert: it travels encrypted unless it stays on this machine.
      throw new BadRequestException({ code: 'escalation-contact.url-insecure', message: ['url: a webhook must use https (plain http only to this machine)'] });
    }
    const contact = await this.storage.notifications.addContact({
      wardId,
      name: body.name.trim(),
      role: body.role.trim(),
      channel,
      url: body.url ?? null,
      secret: body.secret ?? null,
      at: new Date(),
      by: user.id,
    });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward.escalation-contact.add', subjectType: 'ward', subjectId: wardId, ip, details: { contactId: contact.id, channel } });
    return toView(contact);
  }

  @Roles('admin')
  @Delete(':contactId')
  @HttpCode(204)
  async remove(
    @Param('id', new ParseUUIDPipe()) wardId: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
    @CurrentUser() user: SignedInUser,
    @Ip() ip: string,
  ): Promise<void> {
    await this.ward(wardId, user);
    const removed = await this.storage.notifications.removeContact(contactId, { wardId, at: new Date(), by: user.id });
    if (!removed) throw new NotFoundException({ code: 'escalation-contact.not-found', message: `There is no escalation contact ${contactId} on this ward.` });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward.escalation-contact.remove', subjectType: 'ward', subjectId: wardId, ip, details: { contactId } });
  }

  private async ward(id: string, user: SignedInUser): Promise<void> {
    const ward = user.role === 'admin' || user.wardIds.includes(id) ? await this.storage.registry.getWard(id) : undefined;
    if (!ward) throw new NotFoundException({ code: 'ward.not-found', message: `There is no ward ${id} among your wards.` });
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
