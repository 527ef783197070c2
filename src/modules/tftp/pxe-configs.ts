import * as path from 'path';
import { log } from '../../core/log';
import { deleteFile, readConfigFile, writeFileAtomic } from './config-files';
import { defaultFiles, perMacFiles, Variant } from './variants';

/** Raised for a request the baseline refuses before touching the disk (missing content). */
export class MissingContent extends Error {}

/** The per-host boot configs and default menus of one tftproot (reference §6.3). */
export class PxeConfigStore {
  constructor(readonly root: string) {}

  private absolute(relative: string): string {
    return path.join(this.root, relative);
  }

  /** Writes every per-MAC file of the variant with `content`. */
  async set(variant: Variant, mac: string, content: string | undefined): Promise<void> {
    if (content === undefined) throw new MissingContent('Invalid parameters received');
    for (const rel of perMacFiles(variant, mac)) {
      const file = this.absolute(rel);
      await writeFileAtomic(file, content);
      log.debug(`TFTP: ${file} created successfully`);
    }
  }

  /** Deletes every per-MAC file of the variant; missing files are skipped. */
  async del(variant: Variant, mac: string): Promise<void> {
    for (const rel of perMacFiles(variant, mac)) {
      const file = this.absolute(rel);
      if (await deleteFile(file)) log.debug(`TFTP: ${file} removed successfully`);
      else log.debug(`TFTP: Skipping a request to delete a file which doesn't exists: ${file}`);
    }
  }

  /** The content of the variant's first per-MAC file. */
  async get(variant: Variant, mac: string): Promise<Buffer> {
    return readConfigFile(this.absolute(perMacFiles(variant, mac)[0]));
  }

  /** Writes the variant's default menu file(s). */
  async createDefault(variant: Variant, menu: string | undefined): Promise<void> {
    if (menu === undefined) throw new MissingContent('Default config not supplied');
    for (const rel of defaultFiles(variant)) {
      const file = this.absolute(rel);
      await writeFileAtomic(file, menu);
      log.info(`TFTP: ${file} entry created successfully`);
    }
  }
}
