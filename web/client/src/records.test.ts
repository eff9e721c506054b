import { describe, expect, it } from 'vitest';
import { mergeEventRecord, type EventDto, type EventRecord } from './records';

const base: EventDto = {
  id: 'e1',
  partnerId: 'pat',
  title: 'Jazz Night',
  description: '',
  venue: 'Blue Room',
  startsAt: '2027-03-01T19:00:00Z',
  endsAt: '2027-03-01T22:00:00Z',
  capacity: 50,
  seatsBooked: 0,
  category: null,
  status: 'APPROVED',
  rejectionReason: null,
  version: 4,
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:00:00Z',
  revision: {
    status: 'PENDING',
    title: 'Jazz Night — late show',
    description: '',
    venue: 'Green Hall',
    startsAt: '2027-03-01T19:00:00Z',
    endsAt: '2027-03-01T22:00:00Z',
    category: null,
    submittedAt: '2026-12-01T10:00:00Z',
    rejectionReason: null,
  },
};

function record(type: EventRecord['type'], audience: string, data: EventDto): EventRecord {
  return {
    specversion: '1.0',
    id: `r-${data.version}`,
    source: 'events-service',
    type,
    subject: data.id,
    time: data.updatedAt,
    audience,
    aggregateversion: data.version,
    data,
  };
}

describe('mergeEventRecord', () => {
  const { revision: _dropped, ...publicView } = base;

  it('keeps the held revision across a public capacity change, which never carries it', () => {
    const merged = mergeEventRecord(base, record('event.updated', 'public', { ...publicView, capacity: 80, version: 5 }));
    expect(merged.capacity).toBe(80);
    expect(merged.revision?.title).toBe('Jazz Night — late show');
  });

  it('drops it when an admin approved it: the public record is the whole truth', () => {
    const approved = { ...publicView, title: 'Jazz Night — late show', venue: 'Green Hall', version: 5 };
    const merged = mergeEventRecord(base, record('event.revision-approved', 'public', approved));
    expect(merged.revision).toBeUndefined();
    expect(merged.title).toBe('Jazz Night — late show');
  });

  it('takes a private record as it is, a withdrawn revision included', () => {
    const withdrawn = { ...publicView, version: 5 };
    expect(mergeEventRecord(base, record('event.revision-withdrawn', 'role:admin,user:pat', withdrawn)).revision)
      .toBeUndefined();
  });

  it('keeps nothing when nothing was held', () => {
    expect(mergeEventRecord(undefined, record('event.updated', 'public', publicView)).revision).toBeUndefined();
  });
});
