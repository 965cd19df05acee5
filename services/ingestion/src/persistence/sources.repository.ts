import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { SourceEntity } from './source.entity';

@Injectable()
export class SourcesRepository {
  private readonly sources: Repository<SourceEntity>;

  constructor(dataSource: DataSource) {
    this.sources = dataSource.getRepository(SourceEntity);
  }

  insert(source: SourceEntity): Promise<unknown> {
    return this.sources.insert(source);
  }

  list(): Promise<SourceEntity[]> {
    return this.sources.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  byId(id: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ id });
  }

  byWriteKeyHash(writeKeyHash: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ writeKeyHash });
  }

  /** Applies `changes` and returns the updated source, or null when there is none with this id. */
  async update(id: string, changes: Partial<Pick<SourceEntity, 'writeKeyHash' | 'keyRotatedAt' | 'enabled' | 'disabledAt'>>): Promise<SourceEntity | null> {
    const result = await this.sources.update({ id }, changes);
    return result.affected ? this.byId(id) : null;
  }
}
