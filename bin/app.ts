import { App } from 'aws-cdk-lib';
import { defineServiceApp } from '../lib/service-app';

/** The CDK app: `npx cdk synth`, `npx cdk deploy -c stage=prod` (README "Deploy"). */
defineServiceApp(new App());
