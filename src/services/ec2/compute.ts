/**
 * EC2 compute: key pairs, instances and their lifecycle, EBS volumes and snapshots, and the
 * account's own images. index.ts spreads this table into the provider's handlers (after the
 * catalog's, so DescribeImages here answers the account's images with the catalog's).
 */
import type { RequestContext } from '../../core/context.ts';
import { createImage, deregisterImage, describeImages } from './images.ts';
import { describeInstanceStatus, describeInstances, runInstances } from './instances.ts';
import { createKeyPair, deleteKeyPair, describeKeyPairs, importKeyPair } from './key-pairs.ts';
import {
  associateIamInstanceProfile,
  describeIamInstanceProfileAssociations,
  describeInstanceAttribute,
  disassociateIamInstanceProfile,
  modifyInstanceAttribute,
  rebootInstances,
  replaceIamInstanceProfileAssociation,
  startInstances,
  stopInstances,
  terminateInstances,
} from './lifecycle.ts';
import { copySnapshot, createSnapshot, deleteSnapshot, describeSnapshots } from './snapshots.ts';
import { attachVolume, createVolume, deleteVolume, describeVolumes, describeVolumesModifications, detachVolume, modifyVolume } from './volumes.ts';

type Impl = (ctx: RequestContext, input: any) => Promise<Record<string, unknown>> | Record<string, unknown>;

export const computeHandlers: Record<string, Impl> = {
  CreateKeyPair: createKeyPair,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPair: deleteKeyPair,
  RunInstances: runInstances as Impl,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  RebootInstances: rebootInstances,
  TerminateInstances: terminateInstances,
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceAttribute: describeInstanceAttribute,
  AssociateIamInstanceProfile: associateIamInstanceProfile,
  ReplaceIamInstanceProfileAssociation: replaceIamInstanceProfileAssociation,
  DisassociateIamInstanceProfile: disassociateIamInstanceProfile,
  DescribeIamInstanceProfileAssociations: describeIamInstanceProfileAssociations,
  CreateVolume: createVolume,
  DescribeVolumes: describeVolumes,
  AttachVolume: attachVolume,
  DetachVolume: detachVolume,
  DeleteVolume: deleteVolume,
  ModifyVolume: modifyVolume,
  DescribeVolumesModifications: describeVolumesModifications,
  CreateSnapshot: createSnapshot,
  DescribeSnapshots: describeSnapshots,
  CopySnapshot: copySnapshot,
  DeleteSnapshot: deleteSnapshot,
  CreateImage: createImage,
  DeregisterImage: deregisterImage,
  DescribeImages: describeImages as Impl,
};
